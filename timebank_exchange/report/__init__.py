from . import timebank_fund_report
