from . import test_access_rights
from . import test_hierarchy
from . import test_identity
from . import test_recipient
from . import test_volunteer_lifecycle
from . import test_import
