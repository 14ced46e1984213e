import { execFileSync } from 'node:child_process';
import { startBenchServer } from './server.js';
const s = await startBenchServer({ links: 2000, port: 3996, publishedBallots: 1000, nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] });
const url = process.argv[2] === 'form' ? `${s.base}/s/${s.tokens[5]}` : `${s.base}${s.resultsPath}`;
console.log(execFileSync('wrk', ['-t1', '-c50', '-d8s', url]).toString());
await s.stop();
