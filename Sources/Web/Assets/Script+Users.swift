extension Assets {
    /// The Users & API tokens page (admins): accounts with their role, person and unit; invite (the one-time
    /// set-password link to copy); change role or person; disable; a new link. Tokens: list with last use, make one
    /// (its secret shown once, with a copy button), revoke.
    static let usersScript = #"""
    'use strict';
    (function () {
      const { api, $, el, say, when, doorBoxes, chosenDoors } = window.Keyway;
      const path = (text) => encodeURIComponent(text);

      function copyButton(button, field, status) {
        button.addEventListener('click', async () => {
          try { await navigator.clipboard.writeText(field.value); say(status, 'Copied.', 'ok'); }
          catch (error) { field.focus(); field.select(); say(status, 'Select it and copy it (Ctrl+C, or long press).'); }
        });
      }

      function showLink(user, link) {
        $('link-for').textContent = 'For ' + user.name + ' (' + user.email + '), until ' + when(link.expires_at) + '. Earlier links stop working.';
        $('password-link').value = link.url;
        say($('copy-link-status'), '');
        $('link-result').hidden = false;
        $('link-result').focus();
      }

      window.Keyway.pages.users = async () => {
        const usersStatus = $('users-status');
        const tokensStatus = $('tokens-status');
        copyButton($('copy-password-link'), $('password-link'), $('copy-link-status'));
        copyButton($('copy-token'), $('token-secret'), $('copy-token-status'));

        const userItem = (user, index, units, reload) => {
          const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
          const unit = user.person && units[user.person];
          const standing = user.disabled ? 'disabled' : (user.has_password ? 'active' : 'has not set a password yet');
          const roleId = 'user-role-' + index;
          const personId = 'user-person-' + index;
          const role = el('select', { id: roleId },
            ...['resident', 'staff', 'admin'].map((r) => el('option', { value: r, text: r, selected: r === user.role })));
          const person = el('input', { id: personId, value: user.person || '', maxLength: 200, autocomplete: 'off' });
          const save = el('button', { type: 'submit', text: 'Save ' + user.name });
          const form = el('form', { class: 'user-change', noValidate: true },
            el('label', { for: roleId, text: 'Role of ' + user.name }), role,
            el('label', { for: personId, text: 'Person of ' + user.name + ' (their unit is this person’s)' }), person, save);
          form.addEventListener('submit', async (event) => {
            event.preventDefault();
            const body = { role: role.value };
            if (person.value.trim()) body.person = person.value.trim();
            try {
              await api('PATCH', '/api/v1/users/' + path(user.id), body);
              await reload(user.name + ' is now ' + role.value + (body.person ? ', as ' + body.person : '') + '.');
            } catch (error) { say(answer, 'Not changed: ' + error.message + '.', 'bad'); }
          });
          const disable = el('button', { type: 'button', class: 'disable', text: (user.disabled ? 'Enable ' : 'Disable ') + user.name });
          disable.addEventListener('click', async () => {
            disable.disabled = true;
            try {
              await api('PATCH', '/api/v1/users/' + path(user.id), { disabled: !user.disabled });
              await reload(user.name + (user.disabled ? ' can log in again.' : ' is disabled: their sessions ended and their tokens stopped.'));
            } catch (error) { say(answer, 'Not changed: ' + error.message + '.', 'bad'); disable.disabled = false; }
          });
          const link = el('button', { type: 'button', class: 'password-link', text: 'New password link for ' + user.name });
          link.addEventListener('click', async () => {
            try { showLink(user, await api('POST', '/api/v1/users/' + path(user.id) + '/password-link')); }
            catch (error) { say(answer, 'No link made: ' + error.message + '.', 'bad'); }
          });
          return el('li', { 'data-user': user.email },
            el('h3', { text: user.name }),
            el('p', { text: user.email + ' · ' + user.role + ' · ' + standing }),
            el('p', { text: user.person ? 'Person: ' + user.person + (unit ? ' · unit ' + unit : ' · no unit') : 'No person' }),
            form, disable, ' ', link, answer);
        };

        const loadUsers = async (message) => {
          try {
            const [users, units] = await Promise.all([api('GET', '/api/v1/users'), api('GET', '/api/v1/units')]);
            const unitOf = {};
            units.forEach((u) => u.residents.forEach((name) => { unitOf[name] = u.name; }));
            $('users-list').replaceChildren(...users.map((u, i) => userItem(u, i, unitOf, loadUsers)));
            say(usersStatus, message || '', message ? 'ok' : undefined);
          } catch (error) { say(usersStatus, 'The accounts could not be shown: ' + error.message + '.', 'bad'); }
        };

        const tokenItem = (token, users) => {
          const answer = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
          const standing = token.revoked_at ? 'revoked ' + when(token.revoked_at)
            : (token.expires_at ? 'until ' + when(token.expires_at) : 'no end');
          const item = el('li', { 'data-token': token.id },
            el('h3', { text: token.name }),
            el('p', { text: token.role + ' · ' + (token.doors ? 'doors: ' + token.doors.join(', ') : 'every door') + ' · of ' +
                             (users[token.user] || token.user) + ' · ' + standing }),
            el('p', { class: 'last-use', text: 'Made ' + when(token.created_at) + ' · ' +
                                               (token.last_used_at ? 'last used ' + when(token.last_used_at) : 'never used') }));
          if (!token.revoked_at) {
            const revoke = el('button', { type: 'button', class: 'revoke', text: 'Revoke ' + token.name });
            revoke.addEventListener('click', async () => {
              revoke.disabled = true;
              try {
                await api('DELETE', '/api/v1/tokens/' + path(token.id));
                await loadTokens('Revoked ' + token.name + ': it is refused from now on.');
              } catch (error) { say(answer, 'Not revoked: ' + error.message + '.', 'bad'); revoke.disabled = false; }
            });
            item.append(revoke);
          }
          item.append(answer);
          return item;
        };

        const loadTokens = async (message) => {
          try {
            const [tokens, users] = await Promise.all([api('GET', '/api/v1/tokens?all=true'), api('GET', '/api/v1/users')]);
            const names = {};
            users.forEach((u) => { names[u.id] = u.name; });
            $('tokens-list').replaceChildren(...tokens.map((t) => tokenItem(t, names)));
            say(tokensStatus, message || (tokens.length ? '' : 'No API token yet.'), message ? 'ok' : undefined);
          } catch (error) { say(tokensStatus, 'The tokens could not be shown: ' + error.message + '.', 'bad'); }
        };

        $('invite-form').addEventListener('submit', async (event) => {
          event.preventDefault();
          const status = $('invite-status');
          const body = { email: $('invite-email').value.trim(), name: $('invite-name').value.trim(), role: $('invite-role').value };
          if (!body.email) { say(status, 'Give their e-mail address.', 'bad'); $('invite-email').focus(); return; }
          if (!body.name) { say(status, 'Give their name.', 'bad'); $('invite-name').focus(); return; }
          if ($('invite-person').value.trim()) body.person = $('invite-person').value.trim();
          if (body.role === 'resident' && !body.person) { say(status, 'A resident’s account names their person.', 'bad'); $('invite-person').focus(); return; }
          try {
            const made = await api('POST', '/api/v1/users', body);
            say(status, made.user.name + ' is invited: send them the link below.', 'ok');
            $('invite-form').reset();
            await loadUsers();
            showLink(made.user, made.password_link);
          } catch (error) { say(status, 'Not invited: ' + error.message + '.', 'bad'); }
        });

        $('token-form').addEventListener('submit', async (event) => {
          event.preventDefault();
          const status = $('token-status');
          const name = $('token-name').value.trim();
          if (!name) { say(status, 'Give the token a name.', 'bad'); $('token-name').focus(); return; }
          const body = { name, role: $('token-role').value };
          const doors = chosenDoors($('token-doors'));
          if (doors.length) body.doors = doors;
          try {
            const made = await api('POST', '/api/v1/tokens', body);
            say(status, 'The token ' + made.token.name + ' is made.', 'ok');
            $('token-name').value = '';
            $('token-secret').value = made.secret;
            say($('copy-token-status'), '');
            $('token-result').hidden = false;
            await loadTokens();
            $('token-result').focus();
          } catch (error) { say(status, 'No token made: ' + error.message + '.', 'bad'); }
        });

        try { doorBoxes($('token-doors'), (await api('GET', '/api/v1/doors')).map((d) => d.name), false); }
        catch (error) { say($('token-status'), 'The doors could not be shown: ' + error.message + '.', 'bad'); }
        await Promise.all([loadUsers(), loadTokens()]);
      };
    })();

    """#
}
