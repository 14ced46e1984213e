// The paper ballots' entry screen, enhanced: on the four-answer scale one key per unit is enough, so a key that is an
// answer moves on to the next unit. Without this script, Tab does the same.
for (const input of document.querySelectorAll('input[data-one-key]')) {
  input.addEventListener('input', () => {
    if (!/^[1-4]$/.test(input.value)) return;
    const fields = [...input.form.querySelectorAll('input[name^="u."]')];
    const next = fields[fields.indexOf(input) + 1];
    if (next) next.focus();
    else input.form.querySelector('button[type="submit"]')?.focus();
  });
}
