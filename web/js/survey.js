// The survey form, enhanced: progress ("12/37 answered") and answers kept on this device as they are given,
// so a closed tab or a phone call loses nothing. Everything works without this script.
const PREFIX = 'pingyi:s:';

function storage() {
  try {
    const s = window.localStorage;
    s.setItem(`${PREFIX}probe`, '1');
    s.removeItem(`${PREFIX}probe`);
    return s;
  } catch {
    return null; // private mode or storage disabled: the form still works, it just does not remember
  }
}

function clearDrafts(store) {
  for (let i = store.length - 1; i >= 0; i--) {
    const k = store.key(i);
    if (k?.startsWith(PREFIX)) store.removeItem(k);
  }
}

function snapshot(form) {
  const data = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'hidden' || el.type === 'submit') continue;
    if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue;
    if (data[el.name]) data[el.name].push(el.value);
    else data[el.name] = [el.value];
  }
  return data;
}

function restore(form, data) {
  for (const [name, values] of Object.entries(data)) {
    const els = [...form.elements].filter((el) => el.name === name);
    const anyGiven = els.some((el) => (el.type === 'radio' || el.type === 'checkbox' ? el.checked : el.value !== ''));
    if (anyGiven) continue; // what the server sent back wins
    for (const el of els) {
      if (el.type === 'radio' || el.type === 'checkbox') el.checked = values.includes(el.value);
      else if (values.length) el.value = values[values.length - 1];
    }
  }
  for (const d of form.querySelectorAll('details.unit-comment')) {
    const ta = d.querySelector('textarea');
    if (ta?.value) d.open = true;
  }
}

function answered(fieldset) {
  for (const el of fieldset.querySelectorAll('input')) {
    if ((el.type === 'radio' || el.type === 'checkbox') && el.checked) return true;
    if (el.type === 'number' && el.value !== '' && /^\d{1,3}$/.test(el.value) && Number(el.value) <= 100) return true;
  }
  return false;
}

function start() {
  const store = storage();
  if (document.getElementById('receipt')) {
    if (store) clearDrafts(store); // the ballot is in: nothing to keep
    return;
  }
  const form = document.getElementById('survey');
  if (!form) return;
  const key = PREFIX + location.pathname;
  const progress = document.getElementById('progress');
  const units = [...form.querySelectorAll('fieldset.unit')];
  const template = progress ? progress.dataset.template || '{done}/{total}' : '';

  if (store) {
    try {
      restore(form, JSON.parse(store.getItem(key) || '{}'));
    } catch {
      store.removeItem(key);
    }
    for (const el of document.querySelectorAll('.js-only')) el.hidden = false;
  }

  const update = () => {
    let done = 0;
    for (const f of units) {
      const ok = answered(f);
      f.classList.toggle('answered', ok);
      if (ok) done++;
    }
    if (progress) {
      progress.hidden = false;
      progress.textContent = template.replace('{done}', String(done)).replace('{total}', String(units.length));
      progress.classList.toggle('complete', done === units.length);
    }
  };
  const save = () => {
    if (store) {
      try {
        store.setItem(key, JSON.stringify(snapshot(form)));
      } catch {
        /* storage full: keep going without it */
      }
    }
    update();
  };
  form.addEventListener('change', save);
  form.addEventListener('input', save);
  update();

  const problems = document.getElementById('problems');
  if (problems) problems.focus();
}

start();
