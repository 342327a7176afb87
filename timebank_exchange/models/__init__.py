from . import timebank_exchange_outlet
from . import product_template
from . import stock_warehouse
from . import timebank_donation
from . import timebank_donation_line
from . import stock_move
from . import stock_picking
