extension Assets {
    /// The Webhooks page: subscriptions with their delivery status (the oldest waiting event's attempts and last
    /// error, and the latest deliveries), a new one with event types from the API's own list, its secret shown once.
    static let webhooksScript = #"""
    'use strict';
    (function () {
      const { api, $, el, say, when } = window.Keyway;
      const EVENTS = {
        'access.granted': 'Someone was let in (any card, key or code)',
        'access.denied': 'Someone was refused at a door',
        'door.forced': 'A door was forced open',
        'door.held': 'A door was held open too long',
        'door.unconfirmed': 'A door was released but its relay did not confirm it',
        'reader.offline': 'A reader stopped answering',
        'reader.online': 'A reader answers again',
        'passcode.used': 'A passcode opened a door',
        'passcode.expired': 'A passcode ran out (time or uses)',
        'key.shared': 'A resident shared a key',
        'key.revoked': 'A key was revoked',
        lockout: 'A keypad locked after wrong codes',
        duress: 'A duress code was entered'
      };
      const URL_LENGTH = 1000;
      const DELIVERIES_SHOWN = 5;

      /// One outbox row in words: delivered, waiting for its first try, or failing with its tries and last answer.
      function deliveryRow(d) {
        const what = d.type + ' (log entry ' + d.sequence + ')';
        const failure = d.last_error || (d.last_status ? 'the receiver answered HTTP ' + d.last_status : 'no answer');
        let state, text;
        if (d.delivered) { state = 'delivered'; text = 'Delivered ' + when(d.delivered); }
        else if (d.attempts === 0) { state = 'pending'; text = 'Waiting to be sent'; }
        else {
          state = 'failing';
          text = 'Failing after ' + d.attempts + ' attempt' + (d.attempts === 1 ? '' : 's') + ': ' + failure +
                 (d.next_attempt ? '. Next try ' + when(d.next_attempt) : '');
        }
        return el('li', { 'data-state': state, class: state === 'failing' ? 'bad' : '' }, el('strong', { text: what }), ' \u2014 ' + text);
      }

      /// The subscription's state in one line, from the listing (the oldest waiting event's tries and answer).
      function summary(hook) {
        if (hook.pending === 0) {
          return ['ok', 'Up to date' + (hook.last_delivered ? ': last delivery ' + when(hook.last_delivered) : ': nothing to send yet') + '.'];
        }
        if (hook.attempts === 0) return ['', hook.pending + ' event' + (hook.pending === 1 ? '' : 's') + ' waiting to be sent.'];
        const answer = hook.last_error || (hook.last_status ? 'HTTP ' + hook.last_status : 'no answer');
        return ['bad', 'Failing: ' + hook.pending + ' waiting; the oldest was tried ' + hook.attempts + ' time' +
                       (hook.attempts === 1 ? '' : 's') + ' (' + answer + '). Keyway keeps trying.'];
      }

      async function load() {
        const list = $('webhook-list');
        const status = $('webhooks-status');
        try {
          const hooks = await api('GET', '/api/v1/webhooks');
          const deliveries = await Promise.all(hooks.map((hook) =>
            api('GET', '/api/v1/webhooks/' + encodeURIComponent(hook.id) + '/deliveries?limit=' + DELIVERIES_SHOWN).catch(() => null)));
          list.replaceChildren(...hooks.map((hook, i) => {
            const [kind, line] = summary(hook);
            const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
            const remove = el('button', { type: 'button', text: 'Remove the webhook to ' + hook.url });
            remove.addEventListener('click', async () => {
              remove.disabled = true;
              try {
                await api('DELETE', '/api/v1/webhooks/' + encodeURIComponent(hook.id));
                say(status, 'Removed: nothing more goes to ' + hook.url + '.', 'ok');
                await load();
              } catch (error) { say(answer, 'Not removed: ' + error.message + '.', 'bad'); remove.disabled = false; }
            });
            const recent = deliveries[i] === null
              ? el('p', { text: 'Its deliveries could not be read just now.' })
              : deliveries[i].length === 0 ? el('p', { text: 'No event has been sent yet.' })
                : el('ol', { class: 'deliveries', 'aria-label': 'Latest deliveries to ' + hook.url }, ...deliveries[i].map(deliveryRow));
            return el('li', { 'data-id': hook.id },
              el('h3', { class: 'url', text: hook.url }),
              el('p', { text: 'Events: ' + (hook.events.includes('all') ? 'all (every event, kinds added later included)' : hook.events.join(', ')) }),
              el('p', { text: 'Added ' + when(hook.created_at) }),
              el('p', { class: 'summary ' + kind, text: line }),
              recent, remove, answer);
          }));
          if (hooks.length === 0) {
            if (!status.classList.contains('ok')) say(status, 'No webhook yet: add one above.');
          } else if (!status.classList.contains('ok')) say(status, '');
        } catch (error) { say(status, 'The webhooks could not be shown: ' + error.message + '.', 'bad'); }
      }

      window.Keyway.pages.webhooks = async () => {
        const status = $('webhook-status');
        const fieldset = $('webhook-events');
        // "all" is a choice of its own: it also takes the kinds a later Keyway adds.
        const every = el('input', { type: 'checkbox', id: 'event-all', value: 'all' });
        fieldset.append(el('label', { class: 'check', for: 'event-all' }, every,
          el('span', {}, 'Every event, including kinds added later ', el('code', { text: 'all' }))));
        every.addEventListener('change', () => {
          fieldset.querySelectorAll('input:not(#event-all)').forEach((box) => { box.disabled = every.checked; });
        });
        try {
          (await api('GET', '/api/v1/webhook-events')).forEach((name, i) => {
            const id = 'event-' + i;
            const box = el('input', { type: 'checkbox', id, value: name });
            fieldset.append(el('label', { class: 'check', for: id }, box, el('span', {}, (EVENTS[name] || name) + ' ', el('code', { text: name }))));
          });
        } catch (error) { say(status, 'The event types could not be shown: ' + error.message + '.', 'bad'); }
        $('webhook-form').addEventListener('submit', async (event) => {
          event.preventDefault();
          const url = $('webhook-url').value.trim();
          if (!/^https?:\/\/[^\s]+$/i.test(url) || url.length > URL_LENGTH) {
            say(status, 'Give the receiver\u2019s URL: http:// or https://, at most ' + URL_LENGTH + ' characters.', 'bad');
            $('webhook-url').focus();
            return;
          }
          const events = every.checked ? ['all'] : Array.from(fieldset.querySelectorAll('input:checked')).map((n) => n.value);
          if (events.length === 0) { say(status, 'Choose at least one event to send.', 'bad'); return; }
          try {
            const created = await api('POST', '/api/v1/webhooks', { url, events });
            say(status, 'Added: the receiver gets ' + (every.checked ? 'every event'
              : events.length + ' kind' + (events.length === 1 ? '' : 's') + ' of event') + ' from now on.', 'ok');
            $('webhook-secret').value = created.secret;
            $('webhook-secret-box').hidden = false;
            $('webhook-secret').focus();
            $('webhook-secret').select();
            $('webhook-form').reset();
            fieldset.querySelectorAll('input').forEach((box) => { box.disabled = false; });
            say($('webhooks-status'), '');
            await load();
          } catch (error) { say(status, 'Not added: ' + error.message + '.', 'bad'); }
        });
        $('copy-secret').addEventListener('click', async () => {
          const field = $('webhook-secret');
          try { await navigator.clipboard.writeText(field.value); say($('copy-secret-status'), 'Copied.', 'ok'); }
          catch (error) { field.focus(); field.select(); say($('copy-secret-status'), 'Select the secret and copy it (Ctrl+C, or long press).'); }
        });
        $('webhooks-refresh').addEventListener('click', () => { say($('webhooks-status'), ''); load(); });
        await load();
      };
    })();

    """#
}
