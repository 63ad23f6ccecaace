/// The managers' People, Units and Users & API tokens pages (their scripts: `Assets.peopleScript`, `Assets.usersScript`).
extension Templates {
    static let people = #"""
    {{> head}}
    <form id="people-search-form" class="card" role="search">
      <label for="people-search">Find a person</label>
      <input id="people-search" type="search" maxlength="200" aria-describedby="people-search-hint">
      <p id="people-search-hint" class="hint">Part of a name. The first 50 matches are shown, by name.</p>
      <button type="submit">Search</button>
    </form>
    <p id="people-status" class="status" role="status" aria-live="polite">Loading…</p>
    <ul id="people-list" class="items"></ul>
    <form id="person-form" class="card" novalidate>
      <h2>Add a person</h2>
      <label for="person-name">Name</label>
      <input id="person-name" required maxlength="200" autocomplete="off">
      <label for="person-kind">Kind</label>
      <select id="person-kind">
        <option value="resident">Resident</option>
        <option value="staff">Staff</option>
        <option value="visitor">Visitor</option>
        <option value="vendor">Vendor</option>
      </select>
      <button type="submit" class="primary">Add the person</button>
      <p id="person-status" class="status" role="status" aria-live="polite"></p>
    </form>
    {{> foot}}
    """#

    static let units = #"""
    {{> head}}
    <p class="hint">Move a person in to give them their unit's place; move a unit out to revoke every key, passcode and share its residents made, in one step.</p>
    <p id="units-status" class="status" role="status" aria-live="polite">Loading…</p>
    <ul id="units-list" class="items"></ul>
    <form id="unit-form" class="card" novalidate>
      <h2>Add a unit</h2>
      <label for="unit-name">Name</label>
      <input id="unit-name" required maxlength="200" autocomplete="off" aria-describedby="unit-name-hint">
      <p id="unit-name-hint" class="hint">As the building names it, e.g. 4B.</p>
      <button type="submit" class="primary">Add the unit</button>
      <p id="unit-status" class="status" role="status" aria-live="polite"></p>
    </form>
    <section id="move-out-confirm" class="card" hidden tabindex="-1" aria-labelledby="move-out-title">
      <h2 id="move-out-title">Move out?</h2>
      <p id="move-out-text"></p>
      <button type="button" id="move-out-yes" class="primary">Yes, move out</button>
      <button type="button" id="move-out-no">Cancel</button>
    </section>
    <section id="move-out-result" class="card" hidden tabindex="-1" aria-labelledby="move-out-result-title">
      <h2 id="move-out-result-title">Moved out</h2>
      <p id="move-out-summary"></p>
      <ul id="move-out-revoked"></ul>
    </section>
    {{> foot}}
    """#

    static let users = #"""
    {{> head}}
    <h2 id="users-title">Accounts</h2>
    <p id="users-status" class="status" role="status" aria-live="polite">Loading…</p>
    <ul id="users-list" class="items" aria-labelledby="users-title"></ul>
    <form id="invite-form" class="card" novalidate>
      <h2>Invite someone</h2>
      <label for="invite-email">E-mail</label>
      <input id="invite-email" type="email" required maxlength="254">
      <label for="invite-name">Name</label>
      <input id="invite-name" required maxlength="200" autocomplete="off">
      <label for="invite-role">Role</label>
      <select id="invite-role">
        <option value="resident">Resident: their own keys, guests and activity</option>
        <option value="staff">Staff: people, passcodes, keys, log, doors</option>
        <option value="admin">Admin: everything</option>
      </select>
      <label for="invite-person">Person (a resident's own; their unit is this person's)</label>
      <input id="invite-person" maxlength="200" autocomplete="off">
      <button type="submit" class="primary">Invite</button>
      <p id="invite-status" class="status" role="status" aria-live="polite"></p>
    </form>
    <section id="link-result" class="card" hidden tabindex="-1" aria-labelledby="link-result-title">
      <h2 id="link-result-title">Set-password link</h2>
      <p id="link-for"></p>
      <label for="password-link">Link (works once; shown only now)</label>
      <input id="password-link" readonly>
      <button type="button" id="copy-password-link">Copy the link</button>
      <p id="copy-link-status" class="status" role="status" aria-live="polite"></p>
    </section>
    <h2 id="tokens-title">API tokens</h2>
    <p id="tokens-status" class="status" role="status" aria-live="polite">Loading…</p>
    <ul id="tokens-list" class="items" aria-labelledby="tokens-title"></ul>
    <form id="token-form" class="card" novalidate>
      <h2>New API token</h2>
      <label for="token-name">Name</label>
      <input id="token-name" required maxlength="200" autocomplete="off" aria-describedby="token-name-hint">
      <p id="token-name-hint" class="hint">What uses it, e.g. "front desk tablet".</p>
      <label for="token-role">Role</label>
      <select id="token-role">
        <option value="staff">Staff</option>
        <option value="resident">Resident</option>
        <option value="admin">Admin</option>
      </select>
      <fieldset id="token-doors"><legend>Only these doors (none ticked: every door)</legend></fieldset>
      <button type="submit" class="primary">Make the token</button>
      <p id="token-status" class="status" role="status" aria-live="polite"></p>
    </form>
    <section id="token-result" class="card" hidden tabindex="-1" aria-labelledby="token-result-title">
      <h2 id="token-result-title">The token's secret</h2>
      <p>Send it as <code>Authorization: Bearer …</code>. It is shown only now: copy it before you leave this page.</p>
      <label for="token-secret">Secret</label>
      <input id="token-secret" readonly>
      <button type="button" id="copy-token">Copy the secret</button>
      <p id="copy-token-status" class="status" role="status" aria-live="polite"></p>
    </section>
    {{> foot}}
    """#
}
