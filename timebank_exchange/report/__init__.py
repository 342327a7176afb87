from . import timebank_fund_report
from . import timebank_service_certificate
