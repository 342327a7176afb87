from . import test_outlet
from . import test_product
from . import test_donation
from . import test_security
