from . import test_outlet
from . import test_product
from . import test_donation
from . import test_security
from . import test_redemption
from . import test_redemption_concurrency
from . import test_redemption_report
