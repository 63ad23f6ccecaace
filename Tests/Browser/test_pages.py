#!/usr/bin/env python3
"""The web pages in headless Chromium against a running `keyway serve --demo` (scripts/web-browser.sh starts it).

One story, step by step, each step a check: a manager sets a password from the one-time link, logs in, makes a
single-use passcode; the code typed at the demo reader's keypad (libosdp PD) opens the door once and the log page
shows it live, without a reload; the second try is refused with the reason in words. A resident unlocks, shares a
key; the link in a fresh browser profile unlocks (the relay command reaches the PD) and is bound to it: a second
profile is refused, the resident sees the warning and allows it (the link moves there); revoked, the guest's next tap
says so. Another resident reaches neither the manager pages nor the first resident's guests. axe-core runs on
every page (no serious or critical violation); screenshots at phone and desktop size go to KEYWAY_ARTIFACTS.
Waits are generous and nothing is timed: the machine may be busy. Every browser is quit at the end.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from urllib.parse import urlparse

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["KEYWAY_BASE"]
KEYWAY = os.environ["KEYWAY_BIN"]
WORK = os.environ["KEYWAY_WORK"]
ARTIFACTS = os.environ["KEYWAY_ARTIFACTS"]
WAIT = 60
PHONE = (390, 844)
DESKTOP = (1280, 900)
PASSWORD = "a long browser password"

browsers = []
state = {}


def browser(size):
    """A fresh profile (no cookie, no storage) in headless Chromium from Debian's package."""
    profile = tempfile.mkdtemp(prefix="keyway-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}",
                     f"--window-size={size[0]},{size[1]}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browsers.append((driver, profile))
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def wait(driver, condition, what):
    return WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda d: condition(d), message=f"waited {WAIT} s for {what}")


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def wait_text(driver, element_id, pattern, what):
    wait(driver, lambda d: re.search(pattern, text(d, element_id)), what)
    return text(driver, element_id)


def checked_page(driver, name):
    """axe-core on the page as it is now (no serious or critical violation), then a phone and a desktop screenshot."""
    axe = Axe(driver)
    axe.inject()
    violations = [v for v in axe.run()["violations"] if v.get("impact") in ("serious", "critical")]
    message = f"axe on {name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations)
    assert not violations, message
    size = driver.get_window_size()
    for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
        driver.set_window_size(width, height)
        driver.save_screenshot(os.path.join(ARTIFACTS, f"{name}-{label}.png"))
    driver.set_window_size(size["width"], size["height"])


def fetch(driver, method, path, body=None):
    """A request from the page, as its own script makes them (the session's cookie and CSRF token)."""
    return driver.execute_async_script("""
        const [method, path, body, done] = arguments;
        const headers = {'Content-Type': 'application/json', 'X-CSRF-Token': localStorage.getItem('keyway.csrf') || ''};
        fetch(path, {method, headers, body: body === null ? undefined : JSON.stringify(body)})
          .then(r => r.text().then(t => done({status: r.status, text: t})))
          .catch(e => done({status: 0, text: String(e)}));""", method, path, body)


def relay_pulses():
    """Relay commands the demo's libosdp PD received for the Front door's output (its log lines in serve.log)."""
    with open(os.path.join(WORK, "serve.log"), encoding="utf-8", errors="replace") as log:
        return sum(1 for line in log if "simulated PD received" in line and "type=output" in line
                   and "output_no=0" in line and "timer_count=0" not in line)


def wait_pulses(more_than, what):
    WebDriverWait(None, WAIT, poll_frequency=0.2).until(lambda _: relay_pulses() > more_than, message=f"waited {WAIT} s for {what}")


def keypad(keys, reader="front-reader"):
    env = dict(os.environ, KEYWAY_SOCKET=os.path.join(WORK, "var/demo/control.sock"))
    subprocess.run([KEYWAY, "sim", "keys", "--reader", reader, keys], env=env, check=True, capture_output=True, timeout=WAIT)


def set_password_and_log_in(driver, link, email, lands_on):
    driver.get(link)
    wait(driver, lambda d: d.find_element(By.ID, "new-password"), "the set-password form")
    if "set-password" not in state.setdefault("checked", set()):
        checked_page(driver, "set-password")
        state["checked"].add("set-password")
    driver.find_element(By.ID, "new-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "repeat-password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#password-form button[type=submit]").click()
    wait_text(driver, "password-status", "password is set", "the password to be set")
    driver.get(BASE + "/login")
    wait(driver, lambda d: d.find_element(By.ID, "email"), "the login form")
    if "login" not in state["checked"]:
        checked_page(driver, "login")
        state["checked"].add("login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait(driver, lambda d: urlparse(d.current_url).path == lands_on, f"the login to land on {lands_on}")


# MARK: The steps, in order (each builds on the ones before)

def manager_logs_in():
    state["admin"] = admin = browser(DESKTOP)
    set_password_and_log_in(admin, os.environ["ADMIN_LINK"], "admin@example.org", "/manage")
    wait_text(admin, "access-status", r"Nothing active|Revoked|^$", "the visitor access list")
    checked_page(admin, "manage")


def manager_makes_a_single_use_passcode():
    admin = state["admin"]
    admin.get(BASE + "/passcode")
    wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#passcode-doors input[value=Front]"), "the door choices")
    Select(admin.find_element(By.ID, "preset")).select_by_value("delivery")
    assert admin.find_element(By.CSS_SELECTOR, "input[name=uses][value=single]").is_selected(), "delivery is single use"
    checked_page(admin, "passcode")
    admin.find_element(By.CSS_SELECTOR, "#passcode-doors input[value=Front]").click()
    admin.find_element(By.CSS_SELECTOR, "#passcode-form button[type=submit]").click()
    state["code"] = wait_text(admin, "passcode-code", r"^\d{4,}$", "the code, shown once")


def the_code_opens_once_and_the_log_shows_it_live():
    admin = state["admin"]
    admin.get(BASE + "/activity")
    wait_text(admin, "live-status", "^Live", "the live log to connect")
    admin.execute_script("window.keywayMarker = 'the same page';")
    pulses = relay_pulses()
    keypad(state["code"] + "#")
    row = wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#log li[data-outcome=grant]"), "the grant in the live log")[0]
    assert "Opened" in row.text and "Front" in row.text, f"the log row says: {row.text}"
    wait_pulses(pulses, "the relay command at the PD")
    state["pulses"] = relay_pulses()
    keypad(state["code"] + "#")
    row = wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#log li[data-outcome=deny]"), "the refusal in the live log")[0]
    assert re.search(r"Refused: [a-z][a-z ,:']{5,}", row.text), f"the refusal names its reason in words: {row.text}"
    assert relay_pulses() == state["pulses"], "the second try moved the relay"
    assert admin.execute_script("return window.keywayMarker") == "the same page", "the log page reloaded"
    checked_page(admin, "activity")


def resident_unlocks_and_shares():
    issued = fetch(state["admin"], "POST", "/api/v1/keys", {"person": "Grace Hopper", "doors": ["Front"], "may_share": True})
    assert issued["status"] == 201, f"issuing Grace a key: {issued}"
    state["grace_key"] = re.search(r'"id":"(key_[^"]+)"', issued["text"]).group(1)
    state["grace"] = grace = browser(PHONE)
    set_password_and_log_in(grace, os.environ["GRACE_LINK"], "grace@example.org", "/doors")
    button = wait(grace, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#doors button") if b.text == "Unlock Front"],
                  "the Unlock Front button")[0]
    checked_page(grace, "doors")
    pulses = relay_pulses()
    button.click()
    answer = wait(grace, lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#doors .answer") if "Opened" in a.text],
                  "the door's answer")[0]
    assert "Front" in answer.text
    wait_pulses(pulses, "the relay command at the PD")
    grace.get(BASE + "/share")
    wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#share-key option"), "the keys that may be shared")
    Select(grace.find_element(By.ID, "share-key")).select_by_value(state["grace_key"])
    grace.find_element(By.ID, "recipient").send_keys("sam@example.org")
    grace.find_element(By.CSS_SELECTOR, "#share-form button[type=submit]").click()
    wait(grace, lambda d: d.find_element(By.ID, "share-result").is_displayed(), "the link")
    state["link"] = link = grace.find_element(By.ID, "share-link").get_attribute("value")
    assert link.startswith(BASE + "/k/kw1."), f"the share link: {link}"
    state["share_id"] = link.split("/k/")[1].split(".")[1]
    grace.find_element(By.ID, "copy-link").click()
    wait_text(grace, "copy-status", ".", "the copy button's answer")
    checked_page(grace, "share")


def the_guest_link_unlocks_in_a_fresh_profile():
    state["guest"] = guest = browser(PHONE)
    guest.get(state["link"])
    lead = wait(guest, lambda d: d.find_elements(By.CSS_SELECTOR, "p.lead"), "the guest page")[0].text
    assert "Grace Hopper" in lead and "Front" in lead and "until" in lead, f"the guest page says: {lead}"
    checked_page(guest, "guest-link")
    wait(guest, lambda d: "kept on this device" in d.find_element(By.ID, "device-status").text, "the link bound to this browser")
    pulses = relay_pulses()
    guest.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(guest, lambda d: "Opened" in d.find_element(By.CSS_SELECTOR, ".door .answer").text, "the guest's door to open")
    wait_pulses(pulses, "the relay command at the PD for the guest")


def the_same_link_in_a_second_profile_is_refused():
    state["other"] = other = browser(PHONE)
    other.get(state["link"])
    wait(other, lambda d: "another device" in d.find_element(By.ID, "device-status").text, "the second device's refusal")
    pulses = relay_pulses()
    other.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(other, lambda d: re.search("Refused: .*another device", d.find_element(By.CSS_SELECTOR, ".door .answer").text),
         "the refusal at the door")
    assert relay_pulses() == pulses, "the second device moved the relay"
    checked_page(other, "guest-link-second-device")


def the_resident_allows_the_second_device():
    grace = state["grace"]
    grace.get(BASE + "/guests")
    warning = wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#access-list .second-device"), "the second-device warning")[0].text
    assert "second device" in warning, f"the warning says: {warning}"
    checked_page(grace, "guests-second-device")
    grace.find_element(By.CSS_SELECTOR, "#access-list button.allow").click()
    wait(grace, lambda d: not d.find_elements(By.CSS_SELECTOR, "#access-list .second-device"), "the warning to go once allowed")
    other, guest = state["other"], state["guest"]
    pulses = relay_pulses()
    other.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(other, lambda d: "Opened" in d.find_element(By.CSS_SELECTOR, ".door .answer").text, "the allowed device's door to open")
    wait_pulses(pulses, "the relay command at the PD for the allowed device")
    pulses = relay_pulses()
    guest.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(guest, lambda d: re.search("Refused: .*another device", d.find_element(By.CSS_SELECTOR, ".door .answer").text),
         "the first device's refusal once the link moved")
    assert relay_pulses() == pulses, "the first device still moved the relay"


def revoked_the_guests_next_tap_says_so():
    grace = state["grace"]
    grace.get(BASE + "/guests")
    button = wait(grace, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#access-list button") if b.text == "Revoke sam@example.org"],
                  "sam@example.org in My guests")[0]
    checked_page(grace, "guests")
    button.click()
    wait_text(grace, "access-status", "Revoked", "the revocation")
    guest = state["other"]  # the device the link was moved to
    pulses = relay_pulses()
    guest.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(guest, lambda d: re.search("Refused: .*revoked", d.find_element(By.CSS_SELECTOR, ".door .answer").text), "the refusal")
    assert relay_pulses() == pulses, "a revoked link moved the relay"
    guest.refresh()
    heading = wait(guest, lambda d: d.find_element(By.TAG_NAME, "h1").text, "the page")
    assert heading == "This link was revoked", f"the page after revoking says: {heading}"
    assert not guest.find_elements(By.CSS_SELECTOR, "button.unlock")
    checked_page(guest, "guest-link-revoked")


def another_resident_sees_nothing_of_it():
    linus = state["guest"]
    set_password_and_log_in(linus, os.environ["LINUS_LINK"], "linus@example.org", "/doors")
    for path in ("/manage", "/activity"):
        answer = fetch(linus, "GET", path)
        assert answer["status"] == 403 and "sam@example.org" not in answer["text"] and "access-list" not in answer["text"], f"{path}: {answer['status']}"
    for method, path in (("GET", "/api/v1/keys?scope=all"), ("GET", "/api/v1/passcodes?scope=all")):
        answer = fetch(linus, method, path)
        assert answer["status"] in (200, 403), f"{path}: {answer}"
        assert state["grace_key"] not in answer["text"] and state["share_id"] not in answer["text"], f"{path} shows Grace's keys"
    for method, path in (("GET", f"/api/v1/keys/{state['share_id']}"), ("DELETE", f"/api/v1/keys/{state['grace_key']}"),
                         ("POST", f"/api/v1/keys/{state['grace_key']}/shares")):
        answer = fetch(linus, method, path, {"recipient": "x"} if method == "POST" else None)
        assert answer["status"] == 404 and "Grace" not in answer["text"], f"{method} {path}: {answer}"
    activity = fetch(linus, "GET", "/api/v1/activity?limit=200")
    assert activity["status"] == 200 and state["share_id"] not in activity["text"] and state["grace_key"] not in activity["text"]
    linus.get(BASE + "/guests")
    wait_text(linus, "access-status", "Nothing active", "Linus's empty guest list")
    linus.get(BASE + "/manage")
    assert linus.find_element(By.TAG_NAME, "h1").text == "Not for this account"
    checked_page(linus, "forbidden")


def card_at_front(number):
    """Ada's (1001) or another demo card swiped at the Front door's reader; the decision is read from the log."""
    env = dict(os.environ, KEYWAY_SOCKET=os.path.join(WORK, "var/demo/control.sock"))
    subprocess.run([KEYWAY, "sim", "card", "--reader", "front-reader", "--format", "h10301", "--facility", "1", "--card", str(number)],
                   env=env, check=False, capture_output=True, timeout=WAIT)


def front_state(driver):
    cards = driver.find_elements(By.CSS_SELECTOR, "#site-doors li[data-door=Front]")
    return cards[0].get_attribute("data-state") if cards else None


def front_answer(driver, pattern, what):
    return wait(driver, lambda d: re.search(pattern, d.find_element(By.CSS_SELECTOR, "#site-doors li[data-door=Front] .answer").text), what)


def manager_locks_the_front_door_down_and_back():
    admin = state["admin"]
    admin.get(BASE + "/site-doors")
    wait(admin, lambda d: front_state(d) == "locked", "the Front door, locked, on the Doors page")
    front = admin.find_element(By.CSS_SELECTOR, "#site-doors li[data-door=Front]")
    assert "online" in front.text and "secure channel on" in front.text, f"the Front door's reader: {front.text}"
    seconds = front.find_element(By.CSS_SELECTOR, "input[type=number]")
    seconds.clear()
    seconds.send_keys("0")
    front.find_element(By.CSS_SELECTOR, ".door-unlock button").click()
    front_answer(admin, "Not done: .*1 to 6553", "the bound on a timed unlock, in words")
    front.find_element(By.CSS_SELECTOR, "button.lockdown").click()
    front_answer(admin, "Done: Front is now lockdown", "the lockdown's answer")
    wait(admin, lambda d: front_state(d) == "locked_down", "the Doors page to show the lockdown")
    checked_page(admin, "site-doors")
    pulses = relay_pulses()
    card_at_front(1001)
    refused = wait(admin, lambda d: re.search(r'"reason":"door_locked_down"', fetch(d, "GET", "/api/v1/activity?door=Front&limit=1")["text"]),
                   "Ada's card refused as locked down")
    assert refused and relay_pulses() == pulses, "a card moved the relay of a locked-down door"
    seconds.clear()
    seconds.send_keys("2")
    front.find_element(By.CSS_SELECTOR, ".door-unlock button").click()
    front_answer(admin, "Not done: .*lockdown", "a timed unlock refused during the lockdown")
    front.find_element(By.CSS_SELECTOR, "button.normal").click()
    front_answer(admin, "Done: Front is now card_or_pin", "the answer to back to normal")
    wait(admin, lambda d: front_state(d) == "locked", "the Doors page to show the door back to normal")
    front.find_element(By.CSS_SELECTOR, ".door-unlock button").click()
    front_answer(admin, "Done: Front unlocked for 2", "the timed unlock's answer")
    wait_pulses(pulses, "the relay command at the PD for the timed unlock")


def wrong_codes_lock_a_keypad_and_the_alert_appears_live():
    admin = state["admin"]
    admin.get(BASE + "/alerts")
    wait_text(admin, "alerts-live", "^Live", "the live alerts to connect")
    for _ in range(5):
        keypad("13579#", reader="side")  # the Side door's Wiegand keypad: the Front keypad stays usable
    alert = wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#alerts li[data-kind=keypad_lockout]"), "the lockout alert, live")[0]
    assert "Keypad locked after wrong codes" in alert.text and "Side" in alert.text, f"the alert says: {alert.text}"
    checked_page(admin, "alerts")
    alert.find_element(By.CSS_SELECTOR, "button.acknowledge").click()
    wait(admin, lambda d: "Acknowledged by Site admin" in d.find_element(By.CSS_SELECTOR, "#alerts li[data-kind=keypad_lockout]").text,
         "the acknowledgement, with who made it")
    linus = state["guest"]  # a resident, logged in
    for path in ("/site-doors", "/alerts"):
        answer = fetch(linus, "GET", path)
        assert answer["status"] == 403 and "site-doors.js" not in answer["text"] and "alerts.js" not in answer["text"], f"{path}: {answer['status']}"
    assert fetch(linus, "GET", "/api/v1/alerts")["status"] == 403


STEPS = [manager_logs_in, manager_makes_a_single_use_passcode, the_code_opens_once_and_the_log_shows_it_live,
         resident_unlocks_and_shares, the_guest_link_unlocks_in_a_fresh_profile,
         the_same_link_in_a_second_profile_is_refused, the_resident_allows_the_second_device, revoked_the_guests_next_tap_says_so,
         another_resident_sees_nothing_of_it]
STEPS += [manager_locks_the_front_door_down_and_back, wrong_codes_lock_a_keypad_and_the_alert_appears_live]


def main():
    passed = failed = 0
    try:
        for index, step in enumerate(STEPS):
            try:
                step()
                passed += 1
                print(f"ok - {step.__name__}", flush=True)
            except Exception:
                failed += len(STEPS) - index
                for number, (driver, _) in enumerate(browsers):
                    driver.save_screenshot(os.path.join(ARTIFACTS, f"failure-{step.__name__}-{number}.png"))
                    print(f"browser {number} at {driver.current_url}: {driver.find_element(By.TAG_NAME, 'main').text[:600]!r}")
                print(f"FAILED - {step.__name__}\n{traceback.format_exc()}", flush=True)
                for later in STEPS[index + 1:]:
                    print(f"not run - {later.__name__} (it builds on the failed step)", flush=True)
                break
    finally:
        for driver, profile in browsers:
            try:
                driver.quit()
            finally:
                shutil.rmtree(profile, ignore_errors=True)
    print(f"screenshots: {ARTIFACTS}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
