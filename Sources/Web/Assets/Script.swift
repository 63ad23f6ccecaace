extension Assets {
    /// The pages' shared script: plain JavaScript, no build step, no library. Each page's shell names itself in
    /// `<body data-page>`; everything it shows comes from the API's routes, called with the session's cookie and
    /// its CSRF token (kept by this origin's storage from the login answer). A page with its own file (a `Page`'s
    /// `scripts`) adds itself to `window.Keyway.pages` and uses the helpers exported there.
    static let script = #"""
    'use strict';
    (function () {
      const CSRF = 'keyway.csrf';
      const REASONS = {
        unknown: 'the key or code is not known here',
        revoked: 'it was revoked',
        expired: 'it has expired',
        not_yet_valid: 'it is not valid yet',
        outside_schedule: 'it is outside the allowed hours',
        holiday: 'the door is closed for a holiday',
        wrong_pin: 'the PIN was wrong',
        use_limit_reached: 'it has already been used up',
        suspended: 'its holder is suspended',
        door_not_allowed: 'it does not open this door',
        lockout: 'too many wrong tries: wait a few minutes',
        duress: 'a duress code was used',
        format_error: 'the reader sent something unreadable',
        unknown_reader: 'the reader is not known',
        invalid_signature: 'the key is not genuine',
        door_locked_down: 'the door is locked down',
        mode_mismatch: 'the door does not take this kind of credential now',
        pin_required: 'the door needs a PIN as well',
        unknown_door: 'there is no such door',
        clock_error: "the door's clock is wrong",
        clock_untrusted: "the door's clock cannot be trusted",
        internal_error: 'the system had a fault (fail secure)',
        database_missing: 'the database is missing (fail secure)',
        stale_read: 'the read came too late to act on',
        opening_unconfirmed: 'the door did not confirm it opened: try again',
        keypad_lockout: 'the keypad is locked after wrong codes'
      };
      const words = (reason) => REASONS[reason] || (reason ? String(reason).replace(/_/g, ' ') : 'refused');
      const $ = (id) => document.getElementById(id);
      const el = (tag, props, ...children) => {
        const node = document.createElement(tag);
        Object.entries(props || {}).forEach(([k, v]) => {
          if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v;
          else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'type' || k === 'for' || k === 'role') node.setAttribute(k, v);
          else node[k] = v;
        });
        children.forEach((c) => node.append(c));
        return node;
      };
      const when = (iso) => iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : 'no end';
      const rfc3339 = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const localInput = (date) => {
        const pad = (n) => String(n).padStart(2, '0');
        return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + 'T' + pad(date.getHours()) + ':' + pad(date.getMinutes());
      };
      const say = (node, text, kind) => {
        node.textContent = text;
        node.classList.remove('ok', 'bad');
        if (kind) node.classList.add(kind);
      };
      // A button that hands a secret on: the phone's share sheet where there is one, else the clipboard, else the
      // secret selected for the person to copy. text() is read at the click: the secret exists only by then.
      const shareButton = (button, status, what, text, selectable) => {
        const sheet = typeof navigator.share === 'function';
        button.textContent = (sheet ? 'Share ' : 'Copy ') + what;
        button.addEventListener('click', async () => {
          try {
            if (sheet) { await navigator.share({ text: text() }); say(status, 'Shared.', 'ok'); return; }
            await navigator.clipboard.writeText(text());
            say(status, 'Copied.', 'ok');
          } catch (error) {
            if (error && error.name === 'AbortError') { say(status, ''); return; }
            selectable.focus();
            if (selectable.select) selectable.select(); else window.getSelection().selectAllChildren(selectable);
            say(status, 'Select ' + what + ' and copy it (Ctrl+C, or long press).');
          }
        });
      };

      async function api(method, path, body) {
        const headers = { Accept: 'application/json' };
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        if (method !== 'GET') headers['X-CSRF-Token'] = localStorage.getItem(CSRF) || '';
        const response = await fetch(path, { method, headers, credentials: 'same-origin',
                                             body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await response.text();
        let data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!response.ok) {
          const error = new Error((data && data.error && data.error.message) || ('the server answered ' + response.status));
          error.status = response.status;
          error.code = data && data.error && data.error.code;
          if (error.code === 'csrf') error.message = 'this browser lost its sign-in token: log out and log in again';
          if (error.code === 'unauthenticated' || error.code === 'session_ended') { window.location.assign('/login'); }
          throw error;
        }
        return data;
      }

      const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

      /// The share's device key pair: made once, not extractable, kept in this browser's IndexedDB.
      async function deviceKeys(share) {
        if (!window.crypto || !crypto.subtle || !window.indexedDB) {
          throw new Error('this browser offers no safe key storage here (it needs WebCrypto and IndexedDB, on https or this machine)');
        }
        const db = await new Promise((resolve, reject) => {
          const open = indexedDB.open('keyway', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('devices');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const stored = await new Promise((resolve, reject) => {
          const get = db.transaction('devices').objectStore('devices').get(share);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        });
        if (stored) return stored;
        const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
        await new Promise((resolve, reject) => {
          const put = db.transaction('devices', 'readwrite');
          put.objectStore('devices').put(pair, share);
          put.oncomplete = resolve;
          put.onerror = () => reject(put.error);
        });
        return pair;
      }

      function unlockAnswer(node, door, answer) {
        if (answer.granted) say(node, 'Opened: ' + door + ' is unlocked now.', 'ok');
        // Allowed, but the door's relay did not confirm the release: not a refusal, and not "opened" either.
        else if (answer.reason === 'opening_unconfirmed') say(node, 'Allowed, but ' + words(answer.reason) + '.', 'bad');
        else say(node, 'Refused: ' + words(answer.reason) + '.', 'bad');
      }

      function unlockButton(button, answerNode, door, body) {
        button.addEventListener('click', async () => {
          button.disabled = true;
          say(answerNode, 'Asking the door…');
          try {
            const sent = typeof body === 'function' ? await body() : body;
            unlockAnswer(answerNode, door, await api('POST', '/api/v1/doors/' + encodeURIComponent(door) + '/unlock', sent));
          }
          catch (error) { say(answerNode, 'Refused: ' + error.message + '.', 'bad'); }
          finally { button.disabled = false; }
        });
      }

      function doorBoxes(fieldset, doors, checked) {
        fieldset.querySelectorAll('label').forEach((n) => n.remove());
        doors.forEach((door, i) => {
          const id = fieldset.id + '-' + i;
          const box = el('input', { type: 'checkbox', id, value: door, checked: checked });
          fieldset.append(el('label', { class: 'check', for: id }, box, ' ' + door));
        });
      }
      const chosenDoors = (fieldset) => Array.from(fieldset.querySelectorAll('input:checked')).map((n) => n.value);

      const pages = {
        login() {
          $('login-form').addEventListener('submit', async (event) => {
            event.preventDefault();
            const status = $('login-status');
            say(status, 'Logging in…');
            try {
              const session = await api('POST', '/api/v1/session', { email: $('email').value.trim(), password: $('password').value });
              localStorage.setItem(CSRF, session.csrf_token);
              window.location.assign(session.role === 'resident' ? '/doors' : '/manage');
            } catch (error) { say(status, 'Not logged in: ' + error.message + '.', 'bad'); }
          });
        },

        'set-password'() {
          $('password-form').addEventListener('submit', async (event) => {
            event.preventDefault();
            const status = $('password-status');
            const password = $('new-password').value;
            if (password !== $('repeat-password').value) { say(status, 'The two passwords differ: type the same one twice.', 'bad'); return; }
            const token = decodeURIComponent(window.location.pathname.split('/').pop());
            try {
              await api('POST', '/api/v1/password', { token, password });
              say(status, 'Your password is set. You can log in now.', 'ok');
              status.append(' ', el('a', { href: '/login', text: 'Log in' }));
            } catch (error) { say(status, 'Not set: ' + error.message + '.', 'bad'); }
          });
        },

        async doors() {
          const status = $('doors-status');
          try {
            const doors = await api('GET', '/api/v1/doors');
            if (doors.length === 0) { say(status, 'You hold no key to any door yet. Ask your building manager.'); return; }
            say(status, '');
            doors.forEach((door) => {
              const answer = el('p', { class: 'answer status', role: 'status', 'aria-live': 'polite' });
              const button = el('button', { type: 'button', class: 'unlock primary', text: 'Unlock ' + door.name });
              unlockButton(button, answer, door.name, undefined);
              $('doors').append(el('li', { class: 'door' }, el('h2', { text: door.name }), button, answer));
            });
          } catch (error) { say(status, 'Your doors could not be shown: ' + error.message + '.', 'bad'); }
        },

        async share() {
          const status = $('share-status');
          const select = $('share-key');
          let keys = [];
          try {
            keys = (await api('GET', '/api/v1/keys?scope=mine&active=true')).filter((k) => k.may_share);
          } catch (error) { say(status, 'Your keys could not be shown: ' + error.message + '.', 'bad'); return; }
          if (keys.length === 0) { say(status, 'None of your keys may be shared. Ask your building manager.'); $('share-form').querySelector('button[type=submit]').disabled = true; return; }
          keys.forEach((k) => select.append(el('option', { value: k.id, text: k.doors.join(', ') + (k.recipient ? ' (shared with you by ' + (k.person || 'a resident') + ')' : '') })));
          const showDoors = () => { const key = keys.find((k) => k.id === select.value); doorBoxes($('share-doors'), key ? key.doors : [], true); };
          select.addEventListener('change', showDoors);
          showDoors();
          const until = $('share-until');
          until.value = localInput(new Date(Date.now() + 86400000));
          $('share-form').addEventListener('submit', async (event) => {
            event.preventDefault();
            const choice = document.querySelector('input[name=validity]:checked').value;
            const spans = { '2h': 7200000, '1d': 86400000, '1w': 604800000 };
            const end = choice === 'custom' ? new Date(until.value) : new Date(Date.now() + spans[choice]);
            if (isNaN(end.getTime())) { say(status, 'Give the date and time the link ends.', 'bad'); until.focus(); return; }
            const doors = chosenDoors($('share-doors'));
            if (doors.length === 0) { say(status, 'Choose at least one door.', 'bad'); return; }
            const recipient = $('recipient').value.trim();
            if (!recipient) { say(status, 'Say who the link is for.', 'bad'); $('recipient').focus(); return; }
            try {
              const issued = await api('POST', '/api/v1/keys/' + encodeURIComponent(select.value) + '/shares',
                                       { recipient, doors, valid_until: rfc3339(end), may_share: $('may-share').checked });
              // With delivery configured the server sends it too (issued.delivery); the link is still shown once.
              say(status, (issued.delivery ? 'The link is being sent to ' + issued.delivery.to_masked + '; it'
                                           : 'The link is ready: it') + ' works until ' + when(issued.key.valid_until) + '.', 'ok');
              $('share-link').value = issued.link;
              $('share-result').hidden = false;
              $('share-link').focus();
              $('share-link').select();
            } catch (error) { say(status, 'No link made: ' + error.message + '.', 'bad'); }
          });
          shareButton($('copy-link'), $('copy-status'), 'the link', () => $('share-link').value, $('share-link'));
        },

        async passcode() {
          const status = $('passcode-status');
          const presets = {
            cleaner: { label: 'Cleaner', hours: 8, uses: 'many', count: 4 },
            'dog-walker': { label: 'Dog walker', hours: 24 * 7, uses: 'many', count: 14 },
            contractor: { label: 'Contractor', hours: 24 * 5, uses: 'many', count: 20 },
            delivery: { label: 'Delivery', hours: 2, uses: 'single', count: 1 }
          };
          const apply = () => {
            const preset = presets[$('preset').value];
            $('passcode-label').value = preset.label;
            const start = new Date();
            $('passcode-from').value = localInput(start);
            $('passcode-until').value = localInput(new Date(start.getTime() + preset.hours * 3600000));
            document.querySelector('input[name=uses][value=' + preset.uses + ']').checked = true;
            if (preset.uses === 'many') $('passcode-uses').value = preset.count;
          };
          $('preset').addEventListener('change', apply);
          apply();
          shareButton($('share-code'), $('share-code-status'), 'the code',
                      () => 'Your passcode: ' + $('passcode-code').textContent + ', then # on the keypad.', $('passcode-code'));
          try {
            doorBoxes($('passcode-doors'), (await api('GET', '/api/v1/doors')).map((d) => d.name), false);
          } catch (error) { say(status, 'The doors could not be shown: ' + error.message + '.', 'bad'); }
          // Managers may tie a code to a weekly schedule (a cleaner on weekdays); residents are not offered the site's
          // schedules (the API refuses them the list), so the choice stays hidden for them.
          try {
            const schedules = await api('GET', '/api/v1/schedules');
            schedules.forEach((s) => $('passcode-schedule').append(el('option', { value: s.name, text: s.name })));
            $('passcode-schedule-box').hidden = schedules.length === 0;
          } catch (error) { $('passcode-schedule-box').hidden = true; }
          $('passcode-form').addEventListener('submit', async (event) => {
            event.preventDefault();
            const doors = chosenDoors($('passcode-doors'));
            if (doors.length === 0) { say(status, 'Choose at least one door.', 'bad'); return; }
            const from = new Date($('passcode-from').value);
            const until = new Date($('passcode-until').value);
            if (isNaN(from.getTime()) || isNaN(until.getTime()) || until <= from) { say(status, 'The code must end after it starts.', 'bad'); return; }
            const many = document.querySelector('input[name=uses]:checked').value === 'many';
            const uses = many ? Number($('passcode-uses').value) : 1;
            if (!Number.isInteger(uses) || uses < 1 || uses > 10000) { say(status, 'Uses are a whole number from 1 to 10000.', 'bad'); return; }
            try {
              const schedule = $('passcode-schedule').value || undefined;
              const sendTo = $('passcode-send-to') ? $('passcode-send-to').value.trim() || undefined : undefined;
              const issued = await api('POST', '/api/v1/passcodes', { label: $('passcode-label').value.trim(), doors,
                                                                     valid_from: rfc3339(from), valid_until: rfc3339(until), uses, schedule,
                                                                     send_to: sendTo });
              say(status, 'The code for ' + issued.passcode.label + ' is ready' +
                          (issued.delivery ? ' and is being sent to ' + issued.delivery.to_masked : '') + '.', 'ok');
              $('passcode-code').textContent = issued.code;
              $('passcode-result').hidden = false;
            } catch (error) { say(status, 'No code made: ' + error.message + '.', 'bad'); }
          });
        },

        guests() { return accessList('mine'); },
        manage() { return accessList('all'); },

        async activity() {
          const list = $('log');
          const live = $('live-status');
          const seen = new Set();
          let source = null;
          const row = (entry) => {
            if (seen.has(entry.sequence)) return null;
            seen.add(entry.sequence);
            let what;
            if (entry.outcome === 'grant') what = el('span', { class: 'granted', text: 'Opened' });
            else if (entry.outcome === 'deny') what = el('span', { class: 'denied', text: 'Refused: ' + words(entry.reason) });
            else what = el('span', { text: (entry.event || entry.kind || 'event').replace(/_/g, ' ') });
            const parts = [entry.door && ('at ' + entry.door), entry.credential_id && ('with ' + entry.credential_id),
                           entry.detail, entry.actor && ('by ' + entry.actor)].filter(Boolean).join(' · ');
            return el('li', { 'data-sequence': String(entry.sequence), 'data-outcome': entry.outcome || '' },
                      el('span', { class: 'when', text: when(entry.at) }), what, parts ? ' ' + parts : '');
          };
          const query = () => {
            const params = new URLSearchParams();
            if ($('filter-door').value) params.set('door', $('filter-door').value);
            if ($('filter-result').value) params.set('result', $('filter-result').value);
            if ($('filter-person').value.trim()) params.set('person', $('filter-person').value.trim());
            return params.toString();
          };
          const load = async () => {
            if (source) source.close();
            list.replaceChildren();
            seen.clear();
            const q = query();
            // The export streams every entry the filters shown select (the session's cookie is enough for a GET).
            $('log-csv').href = '/api/v1/activity.csv' + (q ? '?' + q : '');
            // The stream first, then the page: nothing falls between the two (rows already shown are skipped).
            source = new EventSource('/api/v1/activity/stream' + (q ? '?' + q : ''));
            source.addEventListener('open', () => say(live, 'Live: new entries appear at the top.'));
            source.addEventListener('error', () => say(live, 'Reconnecting to the live log…'));
            source.addEventListener('activity', (event) => {
              const node = row(JSON.parse(event.data));
              if (node) list.prepend(node);
            });
            try {
              const page = await api('GET', '/api/v1/activity?limit=50' + (q ? '&' + q : ''));
              page.entries.slice().reverse().forEach((entry) => { const node = row(entry); if (node) list.prepend(node); });
            } catch (error) { say(live, 'The log could not be shown: ' + error.message + '.', 'bad'); }
          };
          try {
            (await api('GET', '/api/v1/doors')).forEach((d) => $('filter-door').append(el('option', { value: d.name, text: d.name })));
          } catch (error) { /* the filter still offers all doors */ }
          $('log-filters').addEventListener('submit', (event) => { event.preventDefault(); load(); });
          window.addEventListener('pagehide', () => { if (source) source.close(); });
          await load();
        },

        'guest-link'() {
          const token = decodeURIComponent(window.location.pathname.slice('/k/'.length));
          const status = $('device-status');
          if (!status) return;
          // The link is bound to this browser: a key pair it cannot export, kept in IndexedDB, signs every unlock.
          const share = token.split('.')[1] || '';
          const keys = deviceKeys(share);
          let offset = 0;
          const registered = keys.then(async (pair) => {
            const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
            const answer = await api('POST', '/api/v1/links/device', { key: token, public_key: base64(raw) });
            offset = answer.server_time - Date.now();
            say(status, 'This link is kept on this device: it opens doors from here only.', 'ok');
          });
          registered.catch((error) => {
            say(status, error.code === 'second_device'
              ? 'This link is already in use on another device, so it does not open doors from this one. ' +
                status.getAttribute('data-shared-by') + ' has been told and can allow this device.'
              : 'This device cannot keep the link: ' + error.message + '.', 'bad');
          });
          document.querySelectorAll('button.unlock').forEach((button) => {
            const door = button.getAttribute('data-door');
            unlockButton(button, button.parentElement.querySelector('.answer'), door, async () => {
              const body = { key: token };
              let pair;
              try { pair = await keys; } catch (error) { return body; } // the server refuses it and says why
              await registered.catch(() => undefined); // a second device still signs: the server names the refusal
              const stamp = Date.now() + offset;
              const message = new TextEncoder().encode('keyway-unlock\n' + share + '\n' + door + '\n' + stamp);
              const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, message);
              body.device = { stamp, signature: base64(new Uint8Array(signature)) };
              return body;
            });
          });
        }
      };

      /// A share link opened on a second device (refused there): the warning, and "allow" to move the link to it.
      window.Keyway = { api, $, el, say, when, words, rfc3339, localInput, unlockAnswer, unlockButton, doorBoxes, chosenDoors, pages };

      function secondDevice(item, answer, reload) {
        const warning = el('p', { class: 'notice second-device',
                                  text: 'Opened on a second device on ' + when(item.c.device.second_device_at) +
                                        ' and refused there. Allow it if ' + item.who + ' changed phone; revoke if not.' });
        const allow = el('button', { type: 'button', class: 'allow', text: 'Allow the new device for ' + item.who });
        allow.addEventListener('click', async () => {
          allow.disabled = true;
          try { await api('POST', '/api/v1/keys/' + encodeURIComponent(item.id) + '/device/allow'); await reload(); }
          catch (error) { say(answer, 'Not allowed: ' + error.message + '.', 'bad'); allow.disabled = false; }
        });
        return [warning, allow];
      }

      async function accessList(scope) {
        const list = $('access-list');
        const status = $('access-status');
        const load = async () => {
          try {
            const keys = await api('GET', '/api/v1/keys?scope=' + scope + '&active=true&limit=200');
            const codes = await api('GET', '/api/v1/passcodes?limit=200');
            const shares = keys.filter((k) => k.parent);
            list.replaceChildren();
            const items = shares.map((k) => ({ kind: 'key', id: k.id, who: k.recipient || 'a guest', what: 'Shared link', c: k }))
              .concat(codes.map((c) => ({ kind: 'passcode', id: c.id, who: c.label || c.person || 'a guest', what: 'Passcode', c })));
            items.forEach((item) => {
              const c = item.c;
              const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
              const button = el('button', { type: 'button', text: 'Revoke ' + item.who });
              button.addEventListener('click', async () => {
                button.disabled = true;
                try {
                  await api('DELETE', '/api/v1/' + (item.kind === 'key' ? 'keys/' : 'passcodes/') + encodeURIComponent(item.id));
                  say(status, 'Revoked: ' + item.who + ' can no longer open any door with it.', 'ok');
                  await load();
                } catch (error) { say(answer, 'Not revoked: ' + error.message + '.', 'bad'); button.disabled = false; }
              });
              const second = c.device && c.device.second_device_at ? secondDevice(item, answer, load) : [];
              list.append(el('li', { 'data-id': item.id },
                el('h2', { text: item.who }),
                el('p', { text: item.what + ' · ' + c.doors.join(', ') }),
                el('p', { text: 'Until ' + when(c.valid_until) + (c.uses_left != null ? ' · ' + c.uses_left + ' use(s) left' : '') }),
                ...second, button, answer));
            });
            // A revocation's confirmation stays when the list reloads, even when it took the last one away.
            const confirmed = status.classList.contains('ok');
            if (items.length === 0) {
              if (confirmed) say(status, status.textContent.replace(/ Nothing else is active now\.$/, '') + ' Nothing else is active now.', 'ok');
              else say(status, 'Nothing active: no shared link or passcode works now.');
            } else if (!confirmed) say(status, '');
          } catch (error) { say(status, 'The list could not be shown: ' + error.message + '.', 'bad'); }
        };
        await load();
      }

      document.addEventListener('DOMContentLoaded', () => {
        document.querySelectorAll('time[data-local]').forEach((t) => { t.textContent = when(t.getAttribute('datetime')); });
        const logout = $('logout');
        if (logout) logout.addEventListener('click', async () => {
          try { await api('DELETE', '/api/v1/session'); } catch (error) { /* ended already */ }
          localStorage.removeItem(CSRF);
          window.location.assign('/login');
        });
        const page = window.Keyway.pages[document.body.getAttribute('data-page')];
        if (page) page();
      });
    })();

    """#
}
