add      = a + b
sub      = a - b
mul      = a * b
div      = a / b
mod      = a % b
eq       = a == b
ne       = a != b
lt       = a < b
gt       = a > b
le       = a <= b
ge       = a >= b
and      = a && b
or       = a || b
not      = !a
neg      = -a
lit_add  = 1 + 2
lit_cmp  = 1 < 2
lit_and  = true && false
str_eq   = "a" == "b"
no_space = a+b*c-d/e%f
tight    = a==b&&c!=d||e<=f&&g>=h
