# Numeric literals: NumericLit = decimal+ ("." decimal+)? (expmark decimal+)?
integer     = 1
zero        = 0
fraction    = 1.5
exponent    = 1e3
small       = 0.1e-2
upper_exp   = 2E+2
plus_exp    = 5e+0
leading0    = 007
big         = 9007199254740992
precise     = 3.141592653589793
tiny        = 1e-7
negative    = -1
neg_frac    = -1.5
neg_exp     = -2.5e3
in_list     = [1, 1.5, 1e3, 0.1e-2]
in_object   = { a = 1, b = 1.5, c = 1e3, d = 0.1e-2 }
