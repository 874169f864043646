# What hclsyntax's scanner takes as one number (a digit, then digits, dots
# and exponents, not ending in a dot) and cty then reads: "1.e5" is 100000.
dot_exponent      = 1.e5
dot_exponent_up   = 5.E-1
dot_exponent_plus = 2.e+3
zero_dot_exponent = 0.e82
leading_zeros     = 00.10
exponent_zero     = 1.0e0
in_list           = [1.e2, 3]
in_text           = "${1.e2}x"
attr_on_number    = 1.x
attr_after_frac   = 1.5.a
dot_e_alone       = 1.e
