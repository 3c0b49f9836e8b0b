"""A county the demo knows nothing of, from its National Bureau of Statistics files only: 东阿县
(371524, 聊城市), whose files ship in tests/data/divisions/. Importing it again changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from bangban.network.models import Region

DIVISIONS = Path(__file__).parent / "data" / "divisions"


def import_dong_e() -> Region:
    """东阿县 imported through `bangban import-divisions`, with 聊城市 above it: its county centre,
    10 town centres and 80 village stations, and nothing else."""
    call_command(
        "import-divisions",
        counties=str(DIVISIONS / "dong-e-371524-counties.csv"),
        towns=str(DIVISIONS / "dong-e-371524-towns.csv"),
        villages=str(DIVISIONS / "dong-e-371524-villages.csv"),
        cities=str(DIVISIONS / "dong-e-371524-cities.csv"),
        provinces=str(DIVISIONS / "dong-e-371524-provinces.csv"),
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    return Region.objects.get(code="371524")
