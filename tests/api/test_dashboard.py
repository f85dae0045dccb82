"""The dashboard: served at / and /_sandbox/ui, self-contained, and usable in a real browser (headless
Chromium through chromium-driver, which `make test` installs where it can)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from ..support import Receiver

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
T0 = "2026-06-01T09:00:00Z"


def test_the_page_is_served_at_both_addresses_and_needs_nothing_from_elsewhere(client):
    for path in ("/", "/_sandbox/ui"):
        page = client.get(path)
        assert page.status_code == 200 and page.mimetype == "text/html", path
    html = page.get_data(as_text=True)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "the page must work offline"
    assert "<script>" in html and "<style>" in html
    for control in re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html or f'id="{control}"' in html.split("<label", 1)[1], control


@pytest.fixture
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("chromium and chromium-driver are not installed: `make test` installs them with apt-get "
                    "when run as root; otherwise apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the browser tests save what they saw: $SANDBOX_SCREENSHOTS, or the test's own folder."""
    folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait(driver, condition, what: str, seconds: float = 15):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d), message=what)


def _button(driver, text: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.XPATH, f"//button[normalize-space()='{text}']")


def _text(driver, selector: str) -> str | None:
    """What a part of the page shows, read in one step (the page redraws parts as they change)."""
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
                                 selector)


def _status(driver, copy_id: str) -> str | None:
    return _text(driver, f"#factories tr[data-id='{copy_id}'] td.status")


def _create(driver, label: str) -> str:
    _button(driver, label).click()
    message = _wait(driver, lambda d: re.match(r"Created (\w{10}):", _text(d, "#status")), f"{label} created")
    return message.group(1)


def _advance(driver, by: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, "advance-by")
    field.clear()
    field.send_keys(by)
    _button(driver, "Advance").click()
    _wait(driver, lambda d: _text(d, "#status") == f"Clock advanced by {by}.", f"advanced by {by}")


@pytest.mark.slow
def test_a_demo_creates_copies_and_watches_them_complete_and_fail(serve, browser, screenshots):
    served = serve("--frozen-at", T0, "--count", "5")
    receiver = Receiver()
    hook = {"data": {"type": "webhooks", "attributes": {"topic": "order_copies.complete", "callback_url": receiver.url}}}
    assert served.request("POST", "/api/webhooks", hook)[0] == 201
    browser.get(f"{served.base}/_sandbox/ui")
    _button(browser, "Mint a test token").click()
    _wait(browser, lambda d: _text(d, "#dataset") == "Data set: organization sandbox-org, test mode", "minted")
    _wait(browser, lambda d: _text(d, "#clock-state") == "frozen" and _text(d, "#clock-now") == "2026-06-01 09:00:00Z",
          "the frozen clock shown")

    completes = _create(browser, "Copy that completes")
    _wait(browser, lambda d: _status(d, completes) == "pending", "pending")
    browser.save_screenshot(str(screenshots / "1-created.png"))
    _button(browser, "+1 s").click()
    _wait(browser, lambda d: _text(d, "#clock-now") == "2026-06-01 09:00:01Z", "one second on")
    assert _status(browser, completes) == "pending"
    _button(browser, "+1 s").click()
    _wait(browser, lambda d: _status(d, completes) == "in_progress", "in_progress")
    browser.save_screenshot(str(screenshots / "2-in-progress.png"))
    _advance(browser, "3s")
    _wait(browser, lambda d: _status(d, completes) == "completed", "completed")
    _wait(browser, lambda d: _text(d, "#details-events").split("\n") == [
        "order_copies.create at 2026-06-01 09:00:00Z", "order_copies.start at 2026-06-01 09:00:02Z",
        "order_copies.complete at 2026-06-01 09:00:05Z"], "its three events")
    _wait(browser, lambda d: f"{receiver.url}: 200" in _text(d, "#details-deliveries"), "its webhook call")
    receiver.close()
    browser.save_screenshot(str(screenshots / "3-completed.png"))

    failing = _create(browser, "Copy out of stock")
    _advance(browser, "5s")
    _wait(browser, lambda d: _status(d, failing) == "failed", "failed")
    _wait(browser, lambda d: "HAT007 is out of stock" in _text(d, "#details-errors"), "the errors log")
    assert "order_copies.fail at 2026-06-01 09:00:10Z" in _text(browser, "#details-events")
    writes = [line.split("\t")[1:] for line in _text(browser, "#journal tbody").split("\n")]
    # newest first, reads hidden unless asked for
    assert writes == [["POST", "/api/order_copies", "201"]] * 2 + [["POST", "/api/webhooks", "201"]]
    browser.set_window_size(1280, 1800)  # the list and the failed copy's details in one picture
    browser.save_screenshot(str(screenshots / "4-failed.png"))
    browser.set_window_size(1280, 1000)

    unplaced = _create(browser, "Copy that cannot be placed")
    _advance(browser, "5s")
    _wait(browser, lambda d: _status(d, unplaced) == "failed", "failed to place")
    _wait(browser, lambda d: "cannot transition from draft to placed" in _text(d, "#details-errors"), "why")

    aborted = _create(browser, "Copy that is aborted")
    _button(browser, "+1 min").click()
    _wait(browser, lambda d: _status(d, aborted) == "aborted", "aborted")
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, f"button[aria-label='Show order {_source_of(browser, failing)}']").click()
    _wait(browser, lambda d: "reorder:out_of_stock" in _text(d, "#order-attributes"), "the source order shown")


def _source_of(driver, copy_id: str) -> str:
    return _text(driver, f"#factories tr[data-id='{copy_id}'] td:nth-child(8)")


def _contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    def luminance(colour: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.slow
def test_on_a_phone_by_keyboard_labelled_and_legible(serve, browser, screenshots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    served = serve("--frozen-at", T0, "--count", "5")
    browser.set_window_size(390, 844)
    browser.get(f"{served.base}/")
    for _ in range(12):  # Tab to the mint button, as a keyboard user would, and press Enter
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.id") == "mint-test":
            break
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    _wait(browser, lambda d: "organization sandbox-org" in _text(d, "#dataset"), "minted by keyboard")
    copy = _create(browser, "Copy that completes")
    _wait(browser, lambda d: _status(d, copy) == "pending", "pending on a phone")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), \
        "the page scrolls sideways on a phone"
    browser.save_screenshot(str(screenshots / "phone.png"))
    unlabelled = browser.execute_script("""
        return [...document.querySelectorAll('input, textarea, button')].filter(e =>
            !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML);""")
    assert unlabelled == []
    colours = browser.execute_script("""
        return [...document.querySelectorAll('button:not(.link), .badge, h1, td, label')].map(e => {
            let s = getComputedStyle(e), back = s.backgroundColor, node = e;
            while (/rgba\\(0, 0, 0, 0\\)|transparent/.test(back) && node.parentElement) {
                node = node.parentElement; back = getComputedStyle(node).backgroundColor; }
            return [e.textContent.trim().slice(0, 30), s.color, back]; });""")
    low = [(text, round(_contrast(fg, bg), 2)) for text, fg, bg in colours if _contrast(fg, bg) < 4.5]
    assert low == []
