/** One measured figure and the goal it is held to. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal: string;
  met: boolean;
}
