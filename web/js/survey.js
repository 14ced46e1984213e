// The survey form, enhanced: progress ("12/37 answered", counting every indicator's answer), answers kept on this
// device as they are given, so a closed tab or a phone call loses nothing, and a unit's reasons shown as soon as
// one of its answers is 不满意 (without this script they are asked as a second step after the answers). Everything
// works without this script.
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

const validScore = (el) => el.value !== '' && /^\d{1,3}$/.test(el.value) && Number(el.value) <= 100;

/** Whether a question (one indicator of a unit, or the unit when it has one) has an answer. */
function answered(group) {
  for (const el of group.querySelectorAll('input[name^="u."]')) {
    if ((el.type === 'radio' || el.type === 'checkbox') && el.checked) return true;
    if (el.type === 'number' && validScore(el)) return true;
  }
  return false;
}

/** Whether any answer of a unit opens its reasons: 不满意, or a score under 60. */
function dissatisfied(unit) {
  for (const el of unit.querySelectorAll('input[name^="u."]')) {
    if (el.type === 'radio' && el.checked && el.value === 'dissatisfied') return true;
    if (el.type === 'number' && validScore(el) && Number(el.value) < 60) return true;
  }
  return false;
}

/** Shows each unit's reasons while one of its answers is 不满意, and takes them away (unticked) when none is. */
function showReasons(units, template) {
  if (!template) return;
  for (const unit of units) {
    const code = unit.id.replace(/^unit-/, '');
    const shown = document.getElementById(`reasons-${code}`);
    if (dissatisfied(unit)) {
      if (shown) continue;
      const block = template.content.firstElementChild.cloneNode(true);
      block.id = `reasons-${code}`;
      for (const box of block.querySelectorAll('input')) box.name = `r.${code}`;
      unit.insertBefore(block, unit.querySelector('details.unit-comment'));
    } else if (shown) shown.remove();
  }
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
  // One question per indicator row when the units have several; else each unit is one question.
  const items = [...form.querySelectorAll('fieldset.item')];
  const questions = items.length ? items : units;
  const reasons = document.getElementById('reasons-template');
  const template = progress ? progress.dataset.template || '{done}/{total}' : '';
  if (reasons) {
    // The reasons are offered here, as answers come: the server need not ask them again as a second step.
    const asked = document.createElement('input');
    asked.type = 'hidden';
    asked.name = 'reasonsAsked';
    asked.value = '1';
    form.append(asked);
  }

  if (store) {
    try {
      const saved = JSON.parse(store.getItem(key) || '{}');
      restore(form, saved);
      showReasons(units, reasons);
      restore(form, saved); // the reasons ticked, now that their boxes exist
    } catch {
      store.removeItem(key);
    }
    for (const el of document.querySelectorAll('.js-only')) el.hidden = false;
  }

  const update = () => {
    showReasons(units, reasons);
    let done = 0;
    for (const q of questions) if (answered(q)) done++;
    for (const u of units) u.classList.toggle('answered', [...u.querySelectorAll('fieldset.item')].every(answered) && answered(u));
    if (progress) {
      progress.hidden = false;
      progress.textContent = template.replace('{done}', String(done)).replace('{total}', String(questions.length));
      progress.classList.toggle('complete', done === questions.length);
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
