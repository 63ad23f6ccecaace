extension Assets {
    /// The managers' Doors page: each door's state from GET /api/v1/doors, and its commands through the API.
    static let siteDoorsScript = #"""
    'use strict';
    (function () {
      const { api, $, el, say } = window.Keyway;
      // The API's bounds on a timed unlock (APILimits.timedUnlockSeconds: the longest OSDP output timer).
      const SECONDS = { min: 1, max: 6553 };
      const MODES = {
        card: 'card', pin: 'PIN', card_or_pin: 'card or PIN', card_and_pin: 'card and PIN',
        unlocked: 'unlocked: no credential needed', lockdown: 'lockdown: nothing opens it'
      };
      const mode = (name) => MODES[name] || String(name).replace(/_/g, ' ');

      /// The door's state in words, and whether it needs someone's attention.
      function state(door) {
        const alarms = door.alarms || [];
        const position = door.open === true ? ', open' : door.open === false ? ', closed' : '';
        if (alarms.includes('forced_open')) return { text: 'Forced open', bad: true };
        if (alarms.includes('held_open')) return { text: 'Held open', bad: true };
        if (door.mode === 'lockdown') return { text: 'Locked down' + position, bad: true };
        if (door.mode === 'unlocked') return { text: 'Unlocked' + position, bad: false };
        return { text: 'Locked' + position, bad: false };
      }

      window.Keyway.pages['site-doors'] = async () => {
        const list = $('site-doors');
        const status = $('site-doors-status');
        const cards = new Map();

        function card(door) {
          const id = 'door-' + cards.size; // unique for the page's life, whatever order the list comes in
          const answer = el('p', { class: 'status answer', role: 'status', 'aria-live': 'polite' });
          const seconds = el('input', { type: 'number', id: id + '-seconds', min: String(SECONDS.min), max: String(SECONDS.max),
                                        step: '1', value: '5', required: true, inputMode: 'numeric' });
          const command = async (button, path, body, done) => {
            button.disabled = true;
            say(answer, 'Asking the door…');
            try {
              const result = await api('POST', '/api/v1/doors/' + encodeURIComponent(door.name) + '/' + path, body);
              say(answer, done(result), 'ok');
              await refresh();
            } catch (error) { say(answer, 'Not done: ' + error.message + '.', 'bad'); }
            finally { button.disabled = false; }
          };
          const unlock = el('form', { class: 'door-unlock', noValidate: true },
            el('label', { for: seconds.id, text: 'Unlock for (seconds, ' + SECONDS.min + ' to ' + SECONDS.max + ')' }), seconds,
            el('button', { type: 'submit', class: 'primary', text: 'Unlock ' + door.name }));
          unlock.addEventListener('submit', (event) => {
            event.preventDefault();
            const value = Number(seconds.value);
            if (!Number.isInteger(value) || value < SECONDS.min || value > SECONDS.max) {
              say(answer, 'Not done: unlock for a whole number of seconds from ' + SECONDS.min + ' to ' + SECONDS.max +
                          ' (the longest the reader\u2019s relay timer holds).', 'bad');
              seconds.focus();
              return;
            }
            command(unlock.querySelector('button'), 'timed-unlock', { seconds: value },
                    (r) => 'Done: ' + r.result + '. It locks again by itself.');
          });
          const lockdown = el('button', { type: 'button', class: 'lockdown', text: 'Lock down ' + door.name });
          lockdown.addEventListener('click', () => command(lockdown, 'lockdown', undefined,
            (r) => 'Done: ' + r.result + '. No card, code or key opens it until it is back to normal.'));
          const normal = el('button', { type: 'button', class: 'normal', text: 'Back to normal: ' + door.name });
          normal.addEventListener('click', () => command(normal, 'normal', undefined, (r) => 'Done: ' + r.result + '.'));
          const node = el('li', { 'data-door': door.name },
            el('h2', { text: door.name }),
            el('p', { class: 'door-state' }, el('strong', { class: 'state' }), ' ', el('span', { class: 'mode' })),
            el('p', { class: 'door-reader' }),
            unlock, el('div', { class: 'door-actions' }, lockdown, normal), answer);
          return node;
        }

        function show(door, node) {
          const now = state(door);
          const strong = node.querySelector('.state');
          strong.textContent = now.text;
          strong.className = 'state ' + (now.bad ? 'alert' : 'calm');
          node.setAttribute('data-state', now.text.split(',')[0].toLowerCase().replace(/ /g, '_'));
          node.querySelector('.mode').textContent = '· mode ' + mode(door.mode) +
            (door.configured_mode && door.configured_mode !== door.mode ? ' (normally ' + mode(door.configured_mode) + ')' : '');
          node.querySelector('.door-reader').textContent = door.reader
            ? 'Reader ' + door.reader + ': ' + (door.reader_online ? 'online' : 'OFFLINE') +
              (door.reader_online ? (door.secure_channel ? ', secure channel on' : ', no secure channel') : '')
            : 'No reader';
        }

        async function refresh() {
          try {
            const doors = await api('GET', '/api/v1/doors');
            if (doors.length === 0) { say(status, 'This site has no doors yet.'); return; }
            doors.forEach((door) => {
              if (!cards.has(door.name)) { cards.set(door.name, card(door)); list.append(cards.get(door.name)); }
              show(door, cards.get(door.name));
            });
            // Outside the live region: a time that changes every few seconds is not read out each time.
            if (status.textContent) say(status, '');
            $('site-doors-updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + '.';
          } catch (error) { say(status, 'The doors could not be shown: ' + error.message + '.', 'bad'); }
        }

        // A door's state lives in the service's memory, not in the log (a timed unlock ending writes no row), so the
        // log's stream would miss changes: a poll of that in-memory list every few seconds is honest and costs one
        // small request, and it pauses while the page is hidden.
        await refresh();
        const poll = setInterval(() => { if (!document.hidden) refresh(); }, 3000);
        window.addEventListener('pagehide', () => clearInterval(poll));
      };
    })();

    """#

    /// The managers' Alerts page: a page of alerts from GET /api/v1/alerts, new ones live from its stream,
    /// acknowledged through the API.
    static let alertsScript = #"""
    'use strict';
    (function () {
      const { api, $, el, say, when, words } = window.Keyway;
      const KINDS = {
        forced: 'Door forced open',
        held_open: 'Door held open',
        reader_offline: 'Reader offline',
        opening_unconfirmed: 'Door did not confirm it opened (check the relay)',
        keypad_lockout: 'Keypad locked after wrong codes',
        duress: 'Duress code used',
        out_of_hours: 'Code tried outside its hours'
      };
      const EVENTS = {
        site_keypad_lockout: 'every keypad of the site is locked',
        keypad_guessing: 'slow guessing at this keypad'
      };

      window.Keyway.pages['alerts'] = async () => {
        const list = $('alerts');
        const live = $('alerts-live');
        const status = $('alerts-status');
        const more = $('alerts-more');
        const shown = new Set();
        let source = null;
        let cursor = null;

        function row(alert) {
          const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
          const facts = [alert.door && ('at ' + alert.door), alert.reader && ('reader ' + alert.reader),
                         EVENTS[alert.event], alert.reason && words(alert.reason), alert.credential_id && ('with ' + alert.credential_id),
                         alert.detail].filter(Boolean).join(' · ');
          const node = el('li', { 'data-sequence': String(alert.sequence), 'data-kind': alert.kind },
            el('h2', { text: KINDS[alert.kind] || alert.kind }),
            el('p', { class: 'when', text: when(alert.at) + (facts ? ' · ' + facts : '') }));
          const acknowledged = (a) => el('p', { class: 'acknowledged',
            text: 'Acknowledged by ' + (a.acknowledged_by_name || a.acknowledged_by) + ', ' + when(a.acknowledged_at) + '.' });
          if (alert.acknowledged) node.append(acknowledged(alert));
          else {
            const button = el('button', { type: 'button', class: 'acknowledge',
                                          text: 'Acknowledge: ' + (KINDS[alert.kind] || alert.kind) + (alert.door ? ' at ' + alert.door : '') });
            button.addEventListener('click', async () => {
              button.disabled = true;
              try {
                const done = await api('POST', '/api/v1/alerts/' + alert.sequence + '/acknowledge');
                node.setAttribute('data-acknowledged', 'true');
                button.replaceWith(acknowledged(done));
                say(answer, 'Acknowledged: the log names you.', 'ok');
              } catch (error) { say(answer, 'Not acknowledged: ' + error.message + '.', 'bad'); button.disabled = false; }
            });
            node.append(button);
          }
          node.append(answer);
          return node;
        }

        const query = () => {
          const params = new URLSearchParams();
          if ($('alert-kind').value) params.set('kind', $('alert-kind').value);
          if ($('alert-state').value) params.set('acknowledged', $('alert-state').value);
          if ($('alert-door').value) params.set('door', $('alert-door').value);
          return params.toString();
        };

        async function page() {
          const q = query();
          try {
            const answer = await api('GET', '/api/v1/alerts?limit=50' + (q ? '&' + q : '') + (cursor ? '&cursor=' + cursor : ''));
            answer.alerts.forEach((alert) => {
              if (shown.has(alert.sequence)) return;
              shown.add(alert.sequence);
              list.append(row(alert));
            });
            cursor = answer.next_cursor || null;
            more.hidden = !cursor;
            if (shown.size === 0) say(status, 'No alerts: nothing needs attention.');
            else say(status, '');
          } catch (error) { say(status, 'The alerts could not be shown: ' + error.message + '.', 'bad'); }
        }

        async function load() {
          if (source) source.close();
          list.replaceChildren();
          shown.clear();
          cursor = null;
          const q = query();
          // The stream first, then the page: nothing falls between the two (alerts already shown are skipped).
          source = new EventSource('/api/v1/alerts/stream' + (q ? '?' + q : ''));
          source.addEventListener('open', () => say(live, 'Live: new alerts appear at the top.'));
          source.addEventListener('error', () => say(live, 'Reconnecting to the live alerts…'));
          source.addEventListener('alert', (event) => {
            const alert = JSON.parse(event.data);
            if (shown.has(alert.sequence)) return;
            shown.add(alert.sequence);
            list.prepend(row(alert));
            say(status, '');
          });
          await page();
        }

        try {
          (await api('GET', '/api/v1/doors')).forEach((d) => $('alert-door').append(el('option', { value: d.name, text: d.name })));
        } catch (error) { /* the filter still offers all doors */ }
        $('alert-filters').addEventListener('submit', (event) => { event.preventDefault(); load(); });
        more.addEventListener('click', page);
        window.addEventListener('pagehide', () => { if (source) source.close(); });
        await load();
      };
    })();

    """#
}
