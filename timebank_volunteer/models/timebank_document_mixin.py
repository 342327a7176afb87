# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, models
from odoo.exceptions import UserError

# Context key that lets ``create``/``write`` change a model's ``_state_fields``.
# Its value must be STATE_WRITE_TOKEN, a Python object: a JSON-RPC request can
# put any key in the context but only JSON values, so a client cannot forge it.
STATE_WRITE_KEY = "timebank_state_write"
STATE_WRITE_TOKEN = object()


class TimebankDocumentMixin(models.AbstractModel):
    """Numbered time-bank documents that move through states.

    Inheriting models set ``_sequence_code`` (the ``ir.sequence`` that numbers
    a new document whose ``name`` is missing or "/") and have a ``state``
    selection field; their actions call :meth:`_check_state` first.
    """

    _name = "timebank.document.mixin"
    _description = "Time Bank Numbered Document"

    _sequence_code = None
    # fields only the model's actions may write (through _with_state_write)
    _state_fields = frozenset()

    def _state_write_allowed(self):
        return self.env.context.get(STATE_WRITE_KEY) is STATE_WRITE_TOKEN

    def _with_state_write(self):
        """This recordset, allowed to write the state fields (actions only)."""
        return self.with_context(**{STATE_WRITE_KEY: STATE_WRITE_TOKEN})

    def _refuse_state_fields(self):
        raise UserError(
            self.env._(
                "%(fields)s of %(model)s change only through its actions.",
                fields=", ".join(
                    sorted(self._fields[name].string for name in self._state_fields)
                ),
                model=self._description,
            )
        )

    def write(self, vals):
        if self._state_fields.intersection(vals) and not self._state_write_allowed():
            self._refuse_state_fields()
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if self._state_fields and not self._state_write_allowed():
            default_state = self.default_get(["state"]).get("state")
            for vals in vals_list:
                if vals.get("state", default_state) != default_state or any(
                    vals.get(name) for name in self._state_fields - {"state"}
                ):
                    self._refuse_state_fields()
        if self._sequence_code:
            for vals in vals_list:
                if vals.get("name", "/") == "/":
                    vals["name"] = (
                        self.env["ir.sequence"].next_by_code(self._sequence_code) or "/"
                    )
        return super().create(vals_list)

    def _check_state(self, states, action):
        """Refuse ``action`` (a translated verb) unless every record is in
        one of ``states``."""
        wrong = self.filtered(lambda record: record.state not in states)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(action)s is not possible for %(records)s in the state "
                    "%(state)s.",
                    action=action,
                    records=", ".join(wrong.mapped("display_name")),
                    state=labels[wrong[0].state],
                )
            )
