# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import models

SUPERVISOR_GROUP = "timebank_volunteer.group_timebank_supervisor"


class TimebankNode(models.Model):
    _inherit = "timebank.node"

    def _get_town(self):
        """The town branch each node belongs to: {node id: town node} (a node
        placed directly under the district has no town)."""
        towns = {}
        for node in self:
            current = node
            while current and current.kind not in ("town", "district"):
                current = current.parent_id
            towns[node.id] = current if current.kind == "town" else self.browse()
        return towns

    def _get_branch_supervisors(self):
        """The supervisors to alert for these nodes: {node id: users}. The
        supervisors among the staff of the node's town branch, or, without
        any, of the district head bank."""
        towns = self._get_town()
        result = {}
        for node in self:
            # sudo: staff lists of the ancestors are read to find whom to alert;
            # only user records are returned, the nodes are not.
            branch = (towns[node.id] or node.district_id).sudo()
            users = branch.user_ids.filtered(
                lambda u: u.active and u.has_group(SUPERVISOR_GROUP)
            )
            if not users and branch.kind == "town":
                users = branch.district_id.user_ids.filtered(
                    lambda u: u.active and u.has_group(SUPERVISOR_GROUP)
                )
            result[node.id] = users.sudo(False)
        return result
