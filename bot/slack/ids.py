"""Action ids and view callback ids: what the Slack payloads carry and the handlers route on."""

# Action ids and view callback ids the handlers route on.
APPROVE_ACTION = "modelcard_approve"
REJECT_ACTION = "modelcard_reject"
LIST_NEXT_ACTION = "modelcard_list_next"
CREATE_VIEW = "modelcard_create"
EDIT_VIEW = "modelcard_edit"
REJECT_VIEW = "modelcard_reject_reason"
ADMIN_DELETE_ACTION = "modelcard_admin_delete"
