/// The admins' settings pages: the sharing policy with each door's device binding, and the webhooks with their
/// delivery status. The controls are here; the script fills in the choices and values from the API.
extension Templates {
    static let policy = #"""
    {{> head}}
    <p class="hint">What residents may do with their keys and passcodes. Set the rules for the whole site, or for one
    door or group, where they override the site's. The API refuses any share or passcode these rules refuse, and says which rule.</p>
    <form id="policy-form" class="card" novalidate>
      <label for="policy-scope">Rules for</label>
      <select id="policy-scope"></select>
      <div id="policy-group-row" hidden>
        <label for="policy-group">Group name</label>
        <input id="policy-group" maxlength="200" autocomplete="off">
      </div>
      <p id="policy-scope-hint" class="hint"></p>
      <label for="rule-may_share">Residents may share their keys</label>
      <select id="rule-may_share"></select>
      <label for="rule-may_make_passcodes">Residents may make guest passcodes</label>
      <select id="rule-may_make_passcodes"></select>
      <label for="rule-may_reshare">A shared key may be shared on</label>
      <select id="rule-may_reshare"></select>
      <fieldset>
        <legend>Longest a guest pass may last</legend>
        <label for="rule-longest_validity">Limit</label>
        <select id="rule-longest_validity"></select>
        <div id="rule-longest_validity-row" class="amount">
          <label for="rule-longest_validity-amount">At most</label>
          <input type="number" id="rule-longest_validity-amount" min="1" max="87600" step="1" inputmode="numeric">
          <label for="rule-longest_validity-unit">Unit</label>
          <select id="rule-longest_validity-unit">
            <option value="60">minutes</option>
            <option value="3600">hours</option>
            <option value="86400">days</option>
          </select>
        </div>
      </fieldset>
      <fieldset>
        <legend>Most uses of a resident's passcode</legend>
        <label for="rule-most_uses">Limit</label>
        <select id="rule-most_uses"></select>
        <div id="rule-most_uses-row" class="amount">
          <label for="rule-most_uses-amount">At most (uses)</label>
          <input type="number" id="rule-most_uses-amount" min="1" max="1000000" step="1" inputmode="numeric">
        </div>
      </fieldset>
      <fieldset>
        <legend>Active guest passes per unit</legend>
        <label for="rule-guest_passes_per_unit">Limit</label>
        <select id="rule-guest_passes_per_unit"></select>
        <div id="rule-guest_passes_per_unit-row" class="amount">
          <label for="rule-guest_passes_per_unit-amount">At most (shares and passcodes at once)</label>
          <input type="number" id="rule-guest_passes_per_unit-amount" min="0" max="10000" step="1" inputmode="numeric">
        </div>
      </fieldset>
      <div id="rule-on_move_out-row">
        <label for="rule-on_move_out">When a resident moves out, their own keys and cards are</label>
        <select id="rule-on_move_out">
          <option value="revoke">revoked, with every share made from them</option>
          <option value="suspend">suspended (kept, to reinstate on a move back)</option>
          <option value="keep">kept (only the guest passes they issued are revoked)</option>
        </select>
      </div>
      <button type="submit" class="primary">Save the rules</button>
      <p id="policy-status" class="status" role="status" aria-live="polite">Loading…</p>
    </form>
    <section class="card" aria-labelledby="overrides-title">
      <h2 id="overrides-title">Where doors and groups differ from the site</h2>
      <ul id="policy-overrides" class="items"></ul>
    </section>
    <section class="card" aria-labelledby="binding-title">
      <h2 id="binding-title">Share links bound to one device</h2>
      <p class="hint">On: a shared link opens the door only from the phone or browser that opened it first; opened
      anywhere else it is refused, and the resident who shared it is told. Off: anyone holding the link can open the door.</p>
      <ul id="binding-doors" class="items"></ul>
      <p id="binding-status" class="status" role="status" aria-live="polite">Loading…</p>
    </section>
    {{> foot}}
    """#

    static let webhooks = #"""
    {{> head}}
    <p class="hint">Keyway sends the events you choose to your system's URL, signed, at least once and in order,
    and keeps trying while the receiver is down.</p>
    <form id="webhook-form" class="card" novalidate aria-labelledby="webhook-form-title">
      <h2 id="webhook-form-title">Add a webhook</h2>
      <label for="webhook-url">Receiver URL</label>
      <input id="webhook-url" type="url" inputmode="url" maxlength="1000" required aria-describedby="webhook-url-hint">
      <p id="webhook-url-hint" class="hint">Starts with http:// or https://; no user name or password in it.</p>
      <fieldset id="webhook-events"><legend>Events to send</legend></fieldset>
      <button type="submit" class="primary">Add the webhook</button>
      <p id="webhook-status" class="status" role="status" aria-live="polite"></p>
    </form>
    <section id="webhook-secret-box" class="card" hidden aria-labelledby="webhook-secret-title">
      <h2 id="webhook-secret-title">The signing secret</h2>
      <p>Give it to the receiver: each delivery carries a <code>Keyway-Signature</code> header made with it. It is shown only now.</p>
      <label for="webhook-secret">Secret</label>
      <input id="webhook-secret" readonly>
      <button type="button" id="copy-secret">Copy the secret</button>
      <p id="copy-secret-status" class="status" role="status" aria-live="polite"></p>
    </section>
    <section aria-labelledby="webhook-list-title">
      <h2 id="webhook-list-title">Subscriptions</h2>
      <button type="button" id="webhooks-refresh">Refresh the delivery status</button>
      <p id="webhooks-status" class="status" role="status" aria-live="polite">Loading…</p>
      <ul id="webhook-list" class="items"></ul>
    </section>
    {{> foot}}
    """#
}
