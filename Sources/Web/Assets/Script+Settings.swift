extension Assets {
    /// The Policy page: the sharing rules at the site, a door or a group (rules as data: each names its control and
    /// kind), and each door's device binding. Every change goes through the API, which decides and says why it refused.
    static let policyScript = #"""
    'use strict';
    (function () {
      const { api, $, el, say } = window.Keyway;
      const RULES = [
        { name: 'may_share', kind: 'yes-no', words: 'residents may share keys' },
        { name: 'may_make_passcodes', kind: 'yes-no', words: 'residents may make passcodes' },
        { name: 'may_reshare', kind: 'yes-no', words: 'shared keys may be shared on' },
        { name: 'longest_validity', kind: 'duration', words: 'longest guest pass' },
        { name: 'most_uses', kind: 'limit', words: 'most uses of a passcode' },
        { name: 'guest_passes_per_unit', kind: 'limit', words: 'active guest passes per unit' },
        { name: 'on_move_out', kind: 'site-only', words: 'at move-out, residents\u2019 own credentials are' }
      ];
      const UNITS = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
      const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
      const duration = (seconds) => {
        const [size, word] = UNITS.find(([size]) => seconds % size === 0);
        return plural(seconds / size, word);
      };
      /// A rule's value as people read it.
      const valueWords = (rule, value) => {
        if (value === undefined || value === null) return 'not set';
        if (rule.kind === 'yes-no') return value ? 'yes' : 'no';
        if (value === 'unlimited') return 'no limit';
        if (rule.kind === 'duration') return 'at most ' + duration(value);
        if (rule.kind === 'limit') return 'at most ' + value;
        return String(value);
      };
      const control = (rule) => $('rule-' + rule.name);

      let policy = null;
      let doors = [];

      const scope = () => {
        const value = $('policy-scope').value;
        if (value === 'site') return { kind: 'site' };
        const [kind, ...rest] = value.split(':');
        const name = kind === 'group' && value === 'group:' ? $('policy-group').value.trim() : rest.join(':');
        return { kind, name };
      };
      const rulesAt = (where) => where.kind === 'site' ? policy.site
        : ((where.kind === 'door' ? policy.doors : policy.groups)[where.name] || {});

      function fillScopes(chosen) {
        const select = $('policy-scope');
        select.replaceChildren(el('option', { value: 'site', text: 'The whole site' }));
        const doorGroup = el('optgroup', { label: 'A door' });
        doors.forEach((d) => doorGroup.append(el('option', { value: 'door:' + d, text: 'Door: ' + d })));
        const groups = el('optgroup', { label: 'A group of doors' });
        Object.keys(policy.groups).sort().forEach((g) => groups.append(el('option', { value: 'group:' + g, text: 'Group: ' + g })));
        groups.append(el('option', { value: 'group:', text: 'Another group (give its name)' }));
        select.append(doorGroup, groups);
        // The level shown before (or the group just given a name), else the site.
        select.value = Array.from(select.options).some((o) => o.value === chosen) ? chosen : 'site';
      }

      /// The form shows the rules set at the chosen level; "not set here" inherits (a door: from its groups, then the site).
      function showRules() {
        const where = scope();
        const site = where.kind === 'site';
        $('policy-group-row').hidden = $('policy-scope').value !== 'group:';
        $('rule-on_move_out-row').hidden = !site;
        $('policy-scope-hint').textContent = site
          ? 'These hold everywhere no door or group sets its own.'
          : where.kind === 'door'
            ? 'A rule set here holds at this door. Not set here, the tightest of its groups\u2019 rules holds, else the site\u2019s.'
            : 'A rule set here holds at every door of the group that does not set its own (the tightest group wins).';
        const rules = rulesAt(where);
        RULES.filter((r) => r.kind !== 'site-only').forEach((rule) => {
          const select = control(rule);
          const inherited = 'Not set here (the site: ' + valueWords(rule, policy.site[rule.name]) + ')';
          const options = rule.kind === 'yes-no' ? [['true', 'Yes'], ['false', 'No']] : [['unlimited', 'No limit'], ['limit', 'At most\u2026']];
          select.replaceChildren(...(site ? [] : [['', inherited]]).concat(options).map(([value, text]) => el('option', { value, text })));
          const value = rules[rule.name];
          if (value === undefined || value === null) select.value = site ? options[0][0] : '';
          else if (rule.kind === 'yes-no') select.value = String(value);
          else if (value === 'unlimited') select.value = 'unlimited';
          else {
            select.value = 'limit';
            if (rule.kind === 'duration') {
              const unit = [86400, 3600, 60].find((size) => value % size === 0) || 60;
              $('rule-longest_validity-unit').value = String(unit);
              $('rule-longest_validity-amount').value = Math.max(1, Math.round(value / unit));
            } else $('rule-' + rule.name + '-amount').value = value;
          }
        });
        if (site) $('rule-on_move_out').value = policy.site.on_move_out || 'revoke';
        showAmounts();
      }

      function showAmounts() {
        RULES.filter((r) => r.kind === 'duration' || r.kind === 'limit')
          .forEach((rule) => { $('rule-' + rule.name + '-row').hidden = control(rule).value !== 'limit'; });
      }

      function showOverrides() {
        const list = $('policy-overrides');
        const rows = [['Door', policy.doors], ['Group', policy.groups]].flatMap(([label, levels]) =>
          Object.keys(levels).sort().map((name) => {
            const set = RULES.filter((r) => levels[name][r.name] !== undefined && levels[name][r.name] !== null)
              .map((r) => r.words + ': ' + valueWords(r, levels[name][r.name]));
            return set.length ? el('li', {}, el('strong', { text: label + ' ' + name }), ' \u2014 ' + set.join('; ')) : null;
          })).filter(Boolean);
        list.replaceChildren(...(rows.length ? rows : [el('li', { text: 'None: every door follows the site\u2019s rules.' })]));
      }

      /// The change as the API takes it; a number the form cannot send is refused here, everything else by the API.
      function change() {
        const where = scope();
        const body = {};
        if (where.kind !== 'site') {
          if (!where.name) throw new Error('give the group\u2019s name');
          body[where.kind] = where.name;
        }
        const clear = [];
        RULES.filter((r) => r.kind !== 'site-only').forEach((rule) => {
          const value = control(rule).value;
          if (value === '') clear.push(rule.name);
          else if (rule.kind === 'yes-no') body[rule.name] = value === 'true';
          else if (value === 'unlimited') body[rule.name] = 'unlimited';
          else {
            const amount = Number($('rule-' + rule.name + '-amount').value);
            if (!Number.isInteger(amount) || amount < 0) throw new Error('give a whole number for \u201c' + rule.words + '\u201d');
            body[rule.name] = rule.kind === 'duration' ? amount * Number($('rule-longest_validity-unit').value) : amount;
          }
        });
        if (where.kind === 'site') body.on_move_out = $('rule-on_move_out').value;
        else if (clear.length) body.clear = clear;
        return body;
      }

      async function bindings() {
        const list = $('binding-doors');
        const status = $('binding-status');
        if (doors.length === 0) { say(status, 'This site has no doors yet.'); return; }
        const states = await Promise.all(doors.map((door) =>
          api('GET', '/api/v1/doors/' + encodeURIComponent(door) + '/device-binding').catch((error) => ({ door, error }))));
        say(status, '');
        list.replaceChildren(...states.map((state, i) => {
          const id = 'binding-' + i;
          const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
          if (state.error) {
            say(answer, 'Not known: ' + state.error.message + '.', 'bad');
            return el('li', {}, el('p', { text: state.door }), answer);
          }
          const box = el('input', { type: 'checkbox', id, checked: state.required, 'data-door': state.door });
          box.addEventListener('change', async () => {
            box.disabled = true;
            const required = box.checked;
            try {
              await api('PUT', '/api/v1/doors/' + encodeURIComponent(state.door) + '/device-binding', { required });
              say(answer, required ? 'Saved: share links for ' + state.door + ' now open only on the device that opened them first.'
                                   : 'Saved: share links for ' + state.door + ' now open on any device that holds them.', 'ok');
            } catch (error) {
              box.checked = !required;
              say(answer, 'Not changed: ' + error.message + '.', 'bad');
            } finally { box.disabled = false; }
          });
          return el('li', {}, el('label', { class: 'check', for: id }, box, ' ' + state.door + ': share links open on one device only'), answer);
        }));
      }

      window.Keyway.pages.policy = async () => {
        const status = $('policy-status');
        try {
          [policy, doors] = await Promise.all([api('GET', '/api/v1/policy'),
                                               api('GET', '/api/v1/doors').then((list) => list.map((d) => d.name))]);
        } catch (error) { say(status, 'The rules could not be shown: ' + error.message + '.', 'bad'); return; }
        say(status, '');
        fillScopes('site');
        showRules();
        showOverrides();
        $('policy-scope').addEventListener('change', () => { say(status, ''); showRules(); });
        $('policy-group').addEventListener('change', showRules);
        RULES.forEach((rule) => control(rule).addEventListener('change', showAmounts));
        $('policy-form').addEventListener('submit', async (event) => {
          event.preventDefault();
          let body;
          try { body = change(); } catch (error) { say(status, 'Not saved: ' + error.message + '.', 'bad'); return; }
          say(status, 'Saving\u2026');
          try {
            policy = await api('PATCH', '/api/v1/policy', body);
            const where = body.door ? 'door ' + body.door : body.group ? 'group ' + body.group : 'the whole site';
            fillScopes(body.group ? 'group:' + body.group : $('policy-scope').value);
            showRules();
            showOverrides();
            say(status, 'Saved: the rules for ' + where + ' hold from now on.', 'ok');
          } catch (error) { say(status, 'Not saved: ' + error.message + '.', 'bad'); }
        });
        await bindings();
      };
    })();

    """#
}
