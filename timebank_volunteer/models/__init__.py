from . import res_users
from . import timebank_node
from . import timebank_volunteer
from . import timebank_recipient
