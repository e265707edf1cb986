"""What a person is shown about each of their sessions (R9): the device, read
simply from its User-Agent, and the network it was last used from. No place
names: those need a lookup service or a downloaded database, and neither is
used, so an address is shown as its network ("network 203.0.113.x")."""

import ipaddress
import re

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\b(Headless)?Chrome/|\bCriOS/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Chromebook", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("Mac", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def _first(patterns, text: str) -> str | None:
    return next((name for name, pattern in patterns if pattern.search(text)), None)


def device(user_agent: str) -> str:
    """Say "Chrome on Android", "Safari on iPhone", or what little can be said."""
    browser, system = _first(_BROWSERS, user_agent), _first(_SYSTEMS, user_agent)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "An unknown browser or app")


def network(ip: str) -> str:
    """The address's network, never a place."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "an unknown address"
    if address.is_loopback:
        return "this computer (the server's own address)"
    if address.version == 4:
        return "network " + ".".join(str(address).split(".")[:3]) + ".x"
    return f"network {ipaddress.ip_network(f'{address}/48', strict=False)}"
