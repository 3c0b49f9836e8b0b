"""Every write of supervision, one typed function each, one transaction each: `complaints` (a
complaint or request from receipt to answer), `inspections` (明查暗访: started, findings and photos
recorded, submitted — each finding then a rectification), `checklists` (the county's checklist
templates and their default)."""

from .checklists import (
    ChecklistError,
    ItemData,
    SectionData,
    give_default_checklist,
    save_checklist,
    set_checklist_active,
)
from .complaints import (
    answer,
    decide_extension,
    link,
    receive,
    request_extension,
    return_ticket,
    reveal_phone,
    sign,
    to_case,
)
from .core import SupervisionError
from .inspections import (
    add_photo,
    discard_inspection,
    record_finding,
    remove_photo,
    start_inspection,
    submit_inspection,
)

__all__ = [
    "ChecklistError",
    "give_default_checklist",
    "set_checklist_active",
    "ItemData",
    "SectionData",
    "SupervisionError",
    "save_checklist",
    "answer",
    "decide_extension",
    "link",
    "receive",
    "request_extension",
    "return_ticket",
    "reveal_phone",
    "sign",
    "to_case",
    "add_photo",
    "discard_inspection",
    "record_finding",
    "remove_photo",
    "start_inspection",
    "submit_inspection",
]
