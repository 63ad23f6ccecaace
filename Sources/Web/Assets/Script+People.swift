extension Assets {
    /// The People and Units pages: find and add people, their credentials (enrol a card, revoke one, a new code for a passcode), units with
    /// their residents, move-in, and move-out after a confirmation that says what it will do and then what it revoked.
    static let peopleScript = #"""
    'use strict';
    (function () {
      const { api, $, el, say, when } = window.Keyway;
      const KINDS = { card: 'Card', pin: 'PIN', key: 'Digital key', passcode: 'Passcode' };
      const path = (text) => encodeURIComponent(text);

      function credentialText(c) {
        const what = c.kind === 'key' || c.kind === 'passcode'
          ? [c.label, c.recipient && ('shared with ' + c.recipient), c.doors.length ? c.doors.join(', ') : null].filter(Boolean).join(' · ')
          : (c.shown || '');
        const standing = c.active ? (c.valid_until ? 'until ' + when(c.valid_until) : 'no end')
          : (c.revoked_at ? 'revoked ' + when(c.revoked_at) + (c.revoked_reason ? ' (' + c.revoked_reason + ')' : '') : 'not active');
        return (KINDS[c.kind] || c.kind) + (what ? ': ' + what : '') + ' · ' + standing;
      }

      async function showCredentials(person, section, index) {
        const status = section.querySelector('.details-status');
        const list = section.querySelector('.credentials');
        try {
          const held = await api('GET', '/api/v1/people/' + path(person.id) + '/credentials?limit=100');
          list.replaceChildren();
          if (held.length === 0) list.append(el('li', { text: person.name + ' holds no credential yet.' }));
          held.forEach((c) => {
            const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
            const item = el('li', { 'data-id': c.id, 'data-kind': c.kind, class: c.active ? '' : 'inactive' },
                            el('p', { text: credentialText(c) }));
            if (c.active) {
              const label = (KINDS[c.kind] || c.kind) + (c.shown ? ' ' + c.shown.replace(/^card /, '') : '');
              const revoke = el('button', { type: 'button', class: 'revoke', text: 'Revoke ' + label });
              revoke.addEventListener('click', async () => {
                revoke.disabled = true;
                try {
                  const done = await api('DELETE', '/api/v1/people/' + path(person.id) + '/credentials/' + path(c.id));
                  say(status, 'Revoked ' + label + (done.revoked.length > 1 ? ' and ' + (done.revoked.length - 1) + ' share(s) of it' : '') + '.', 'ok');
                  await showCredentials(person, section, index);
                } catch (error) { say(answer, 'Not revoked: ' + error.message + '.', 'bad'); revoke.disabled = false; }
              });
              item.append(revoke);
              if (c.kind === 'passcode') {
                // A per-staff code rotated by the desk: the new code is shown once, here; the old one stops now.
                const rotate = el('button', { type: 'button', class: 'rotate', text: 'New code for ' + label });
                rotate.addEventListener('click', async () => {
                  rotate.disabled = true;
                  try {
                    const made = await api('POST', '/api/v1/passcodes/' + path(c.id) + '/rotate');
                    await showCredentials(person, section, index);
                    say(status, 'New code for ' + person.name + ': ' + made.code + ' (shown only now). The old code no longer opens.', 'ok');
                  } catch (error) { say(answer, 'No new code: ' + error.message + '.', 'bad'); rotate.disabled = false; }
                });
                item.append(rotate);
              }
            }
            item.append(answer);
            list.append(item);
          });
        } catch (error) { say(status, 'The credentials could not be shown: ' + error.message + '.', 'bad'); }
      }

      function cardForm(person, section, index) {
        const id = (name) => 'card-' + name + '-' + index;
        const input = (name, props) => el('input', Object.assign({ id: id(name), autocomplete: 'off' }, props));
        const format = input('format', { value: 'h10301', maxLength: 200, required: true });
        const facility = input('facility', { inputMode: 'numeric', maxLength: 10 });
        const number = input('number', { inputMode: 'numeric', maxLength: 19, required: true });
        const form = el('form', { class: 'card-form', noValidate: true },
          el('fieldset', {},
            el('legend', { text: 'Add a card for ' + person.name }),
            el('label', { for: id('format'), text: 'Card format' }), format,
            el('label', { for: id('facility'), text: 'Facility code (if the format has one)' }), facility,
            el('label', { for: id('number'), text: 'Card number' }), number,
            el('button', { type: 'submit', text: 'Add the card' })));
        form.addEventListener('submit', async (event) => {
          event.preventDefault();
          const status = section.querySelector('.details-status');
          const digits = (text) => /^[0-9]{1,19}$/.test(text);
          if (!format.value.trim()) { say(status, 'Give the card format, e.g. h10301.', 'bad'); format.focus(); return; }
          if (facility.value.trim() && !digits(facility.value.trim())) { say(status, 'The facility code is a number.', 'bad'); facility.focus(); return; }
          if (!digits(number.value.trim())) { say(status, 'The card number is a number.', 'bad'); number.focus(); return; }
          const body = { format: format.value.trim(), card: Number(number.value.trim()) };
          if (facility.value.trim()) body.facility = Number(facility.value.trim());
          if (!Number.isSafeInteger(body.card)) { say(status, 'That card number is too long to send from here: use keyway cards add.', 'bad'); return; }
          try {
            const card = await api('POST', '/api/v1/people/' + path(person.id) + '/cards', body);
            say(status, 'Added ' + card.shown + ' for ' + person.name + '.', 'ok');
            number.value = '';
            await showCredentials(person, section, index);
          } catch (error) { say(status, 'No card added: ' + error.message + '.', 'bad'); }
        });
        return form;
      }

      function personItem(person, index, reload) {
        const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
        const sectionId = 'person-details-' + index;
        const toggle = el('button', { type: 'button', class: 'show-credentials', text: 'Credentials of ' + person.name,
                                      'aria-expanded': 'false', 'aria-controls': sectionId });
        const suspend = el('button', { type: 'button', class: 'suspend', text: (person.suspended ? 'Reinstate ' : 'Suspend ') + person.name });
        const section = el('section', { id: sectionId, class: 'details', hidden: true, tabIndex: -1, 'aria-label': 'Credentials of ' + person.name },
          el('h3', { text: 'Credentials' }), el('ul', { class: 'credentials items' }));
        section.append(cardForm(person, section, index), el('p', { class: 'details-status status', role: 'status', 'aria-live': 'polite' }));
        toggle.addEventListener('click', async () => {
          const open = section.hidden;
          section.hidden = !open;
          toggle.setAttribute('aria-expanded', String(open));
          if (open) { await showCredentials(person, section, index); section.focus(); }
        });
        suspend.addEventListener('click', async () => {
          suspend.disabled = true;
          try {
            await api('POST', '/api/v1/people/' + path(person.id) + (person.suspended ? '/reinstate' : '/suspend'));
            await reload(person.suspended ? person.name + ' is reinstated: their credentials work again.'
                                          : person.name + ' is suspended: none of their credentials opens a door now.');
          } catch (error) { say(answer, 'Not changed: ' + error.message + '.', 'bad'); suspend.disabled = false; }
        });
        return el('li', { 'data-person': person.name },
          el('h2', { text: person.name }),
          el('p', { text: person.kind + (person.suspended ? ' · suspended' : '') }),
          toggle, ' ', suspend, answer, section);
      }

      window.Keyway.pages.people = async () => {
        const status = $('people-status');
        const list = $('people-list');
        const load = async (message) => {
          const search = $('people-search').value.trim();
          try {
            const people = await api('GET', '/api/v1/people?limit=50' + (search ? '&search=' + encodeURIComponent(search) : ''));
            list.replaceChildren(...people.map((p, i) => personItem(p, i, load)));
            if (message) say(status, message, 'ok');
            else if (people.length === 0) say(status, search ? 'Nobody’s name contains “' + search + '”.' : 'Nobody is registered yet.');
            else say(status, people.length === 50 ? 'The first 50, by name: search to narrow.' : people.length + ' shown.');
          } catch (error) { say(status, 'The people could not be shown: ' + error.message + '.', 'bad'); }
        };
        $('people-search-form').addEventListener('submit', (event) => { event.preventDefault(); load(); });
        $('person-form').addEventListener('submit', async (event) => {
          event.preventDefault();
          const name = $('person-name').value.trim();
          const answer = $('person-status');
          if (!name) { say(answer, 'Give the person’s name.', 'bad'); $('person-name').focus(); return; }
          try {
            const person = await api('POST', '/api/v1/people', { name, kind: $('person-kind').value });
            say(answer, person.name + ' is added. Enrol a card for them from their credentials.', 'ok');
            $('person-name').value = '';
            $('people-search').value = person.name;
            await load();
          } catch (error) { say(answer, 'Not added: ' + error.message + '.', 'bad'); }
        });
        await load();
      };

      window.Keyway.pages.units = async () => {
        const status = $('units-status');
        const list = $('units-list');
        const confirm = $('move-out-confirm');
        let pending = null;
        const load = async (message) => {
          try {
            const units = await api('GET', '/api/v1/units');
            list.replaceChildren(...units.map((unit, index) => unitItem(unit, index)));
            if (message) say(status, message, 'ok');
            else say(status, units.length === 0 ? 'No unit yet: add the building’s units below.' : '');
          } catch (error) { say(status, 'The units could not be shown: ' + error.message + '.', 'bad'); }
        };
        const askMoveOut = (unit, person, button) => {
          pending = { unit, person, button };
          $('move-out-text').textContent = (person ? 'Move ' + person + ' out of ' + unit.name : 'Move everyone out of ' + unit.name +
            ' (' + unit.residents.join(', ') + ')') + '? Every passcode and share ' + (person ? 'they' : 'its residents') +
            ' made is revoked at once, and their own keys and cards as the building’s move-out rule says' +
            ' (revoked, unless it was changed). This cannot be undone.';
          $('move-out-yes').textContent = person ? 'Yes, move ' + person + ' out' : 'Yes, move ' + unit.name + ' out';
          $('move-out-result').hidden = true;
          confirm.hidden = false;
          confirm.focus();
        };
        const unitItem = (unit, index) => {
          const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
          const residents = el('ul', { class: 'residents items' });
          unit.residents.forEach((name) => {
            const out = el('button', { type: 'button', class: 'move-out-person', text: 'Move ' + name + ' out' });
            out.addEventListener('click', () => askMoveOut(unit, name, out));
            residents.append(el('li', {}, el('span', { text: name }), ' ', out));
          });
          const inputId = 'move-in-' + index;
          const person = el('input', { id: inputId, maxLength: 200, autocomplete: 'off', required: true });
          const form = el('form', { class: 'move-in', noValidate: true },
            el('label', { for: inputId, text: 'Move a person in to ' + unit.name }), person,
            el('button', { type: 'submit', text: 'Move in' }));
          form.addEventListener('submit', async (event) => {
            event.preventDefault();
            const name = person.value.trim();
            if (!name) { say(answer, 'Give the person’s name (add them on the People page first).', 'bad'); person.focus(); return; }
            try {
              await api('POST', '/api/v1/units/' + path(unit.id) + '/residents', { person: name });
              await load(name + ' moved in to ' + unit.name + '.');
            } catch (error) { say(answer, 'Not moved in: ' + error.message + '.', 'bad'); }
          });
          const children = [el('h2', { text: unit.name }),
            unit.residents.length ? residents : el('p', { text: 'Nobody lives here now.' }), form];
          if (unit.residents.length) {
            const all = el('button', { type: 'button', class: 'move-out-unit', text: 'Move everyone out of ' + unit.name });
            all.addEventListener('click', () => askMoveOut(unit, null, all));
            children.push(all);
          }
          return el('li', { 'data-unit': unit.name }, ...children, answer);
        };
        $('unit-form').addEventListener('submit', async (event) => {
          event.preventDefault();
          const name = $('unit-name').value.trim();
          const answer = $('unit-status');
          if (!name) { say(answer, 'Give the unit’s name.', 'bad'); $('unit-name').focus(); return; }
          try {
            const unit = await api('POST', '/api/v1/units', { name });
            say(answer, unit.name + ' is added. Move its residents in above.', 'ok');
            $('unit-name').value = '';
            await load();
          } catch (error) { say(answer, 'Not added: ' + error.message + '.', 'bad'); }
        });
        $('move-out-no').addEventListener('click', () => {
          confirm.hidden = true;
          if (pending && pending.button.isConnected) pending.button.focus();
          pending = null;
        });
        $('move-out-yes').addEventListener('click', async () => {
          if (!pending) return;
          const { unit, person } = pending;
          $('move-out-yes').disabled = true;
          try {
            const moved = await api('POST', '/api/v1/units/' + path(unit.id) + '/move-out', person ? { person } : undefined);
            confirm.hidden = true;
            pending = null;
            $('move-out-summary').textContent = moved.residents.join(', ') + ' moved out of ' + unit.name + '. ' +
              (moved.revoked.length ? moved.revoked.length + ' credential(s) revoked:' : 'Nothing needed revoking.');
            $('move-out-revoked').replaceChildren(...moved.revoked.map((id) => el('li', { text: id })));
            $('move-out-result').hidden = false;
            await load();
            $('move-out-result').focus();
          } catch (error) { say(status, 'Not moved out: ' + error.message + '.', 'bad'); }
          finally { $('move-out-yes').disabled = false; }
        });
        await load();
      };
    })();

    """#
}
