"""The staff pages: helpers (list, page, profile), trainings (organisers, sessions), the
compliance page, the linkage directory and the Excel import/export of helpers and equipment.

Thin on purpose, like the network pages: everything is read through the gate (`network.access`,
and `staff.scope` for helpers and organisers; 404 for missing and not-allowed alike) and every
write goes through the actions.

One module per topic: `helper_pages`, `training_pages`, `compliance_pages`, `directory_pages`,
`excel_pages` (`common` holds what they share); `staff/urls.py` names each view.
"""
