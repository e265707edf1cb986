"""The networks a setting's staff may use (R10): address ranges typed by a
manager, one a line, read with the standard library's ipaddress."""

import ipaddress

from django.core.exceptions import ValidationError


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The address ranges typed, one a line; a clear message for each mistake."""
    networks, problems = [], []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        try:
            network = ipaddress.ip_network(line, strict=True)
        except ValueError:
            try:
                meant = ipaddress.ip_network(line, strict=False)
            except ValueError:
                problems.append(
                    f"“{line}” is not an address or an address range. Write one a line, such "
                    "as 203.0.113.0/24, 2001:db8::/48 or a single address, 198.51.100.7."
                )
            else:
                problems.append(
                    f"“{line}” names an address inside a range: write the range, {meant}, or "
                    "the single address without the “/”."
                )
            continue
        if network.prefixlen == 0:
            problems.append(f"“{line}” is every address there is: leave the box empty instead.")
            continue
        networks.append(network)
    if problems:
        raise ValidationError(problems)
    return networks


def validate_networks(text: str) -> None:
    parse_networks(text)
