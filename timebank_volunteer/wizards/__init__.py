from . import timebank_dispatch_wizard
