# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models
from odoo.exceptions import UserError

CHECK_FIELDS = (
    "checkin_time",
    "checkin_latitude",
    "checkin_longitude",
    "checkout_time",
    "checkout_latitude",
    "checkout_longitude",
)


class TimebankServiceRequest(models.Model):
    """Check-in and check-out of the volunteer on an accepted request (from
    the portal, with the browser's location when the volunteer allows it):
    they set the service times, hence the duration of the service record."""

    _inherit = "timebank.service.request"

    checkin_time = fields.Datetime(readonly=True, copy=False)
    checkin_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkin_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkout_time = fields.Datetime(readonly=True, copy=False)
    checkout_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkout_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)

    def _check_in(self, when=None, latitude=0.0, longitude=0.0):
        self.ensure_one()
        self._check_state(("accepted",), self.env._("Checking in"))
        if self.checkin_time:
            raise UserError(
                self.env._("%(request)s: already checked in.", request=self.name)
            )
        when = when or fields.Datetime.now()
        self.write(
            {
                "checkin_time": when,
                "checkin_latitude": latitude,
                "checkin_longitude": longitude,
                "service_start": when,
            }
        )

    def _check_out(self, when=None, latitude=0.0, longitude=0.0):
        self.ensure_one()
        self._check_state(("accepted",), self.env._("Checking out"))
        if not self.checkin_time or self.checkout_time:
            raise UserError(
                self.env._(
                    "%(request)s: check out once, after checking in.",
                    request=self.name,
                )
            )
        when = when or fields.Datetime.now()
        self.write(
            {
                "checkout_time": when,
                "checkout_latitude": latitude,
                "checkout_longitude": longitude,
                "service_end": when,
            }
        )

    def _prepare_service_record_values(self):
        values = super()._prepare_service_record_values()
        values.update({name: self[name] for name in CHECK_FIELDS})
        return values


class TimebankServiceRecord(models.Model):
    _inherit = "timebank.service.record"  # pylint: disable=consider-merging-classes-inherited

    checkin_time = fields.Datetime(readonly=True, copy=False)
    checkin_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkin_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkout_time = fields.Datetime(readonly=True, copy=False)
    checkout_latitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
    checkout_longitude = fields.Float(digits=(10, 7), readonly=True, copy=False)
