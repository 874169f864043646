# Levels: * / % (6), + - (5), > >= < <= (4), == != (3), && (2), || (1).
mul_over_add   = 1 + 2 * 3
paren_add      = (1 + 2) * 3
left_assoc_div = x / y * z
left_assoc_sub = a - b - c
cmp_over_eq    = a < b == c > d
and_over_or    = a || b && c
all_levels     = a || b && c == d != e < f + g * h
unary_first    = -a * b
not_first      = !a && b
double_not     = !!a
neg_neg        = - -a
cond_lowest    = a || b ? c + 1 : d * 2
mod_chain      = a % b % c
paren_nest     = ((a + b) * (c - d)) / e
literal_mix    = 2 * 3 + 4 * 5 - 6 / 3 % 2
