"""The bare stack of `bench_register.py`: Django + django-ninja and one endpoint, `POST /bare/cases`,
writing what a registration writes with raw SQL — the floor Bangban's registration is measured
against. Never used by the project."""
