# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, models
from odoo.exceptions import UserError


class TimebankDocumentMixin(models.AbstractModel):
    """Numbered time-bank documents that move through states.

    Inheriting models set ``_sequence_code`` (the ``ir.sequence`` that numbers
    a new document whose ``name`` is missing or "/") and have a ``state``
    selection field; their actions call :meth:`_check_state` first.
    """

    _name = "timebank.document.mixin"
    _description = "Time Bank Numbered Document"

    _sequence_code = None

    @api.model_create_multi
    def create(self, vals_list):
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
