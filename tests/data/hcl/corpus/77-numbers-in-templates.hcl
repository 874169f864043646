# Numbers turned into template text: cty's decimal form, never an exponent.
big      = "${1e21}"
big_text = "n=${1e21}"
small    = "n=${1.5e-7}"
tenth    = "n=${0.1}"
whole    = "n=${100.0}"
trailing = "n=${2.50}"
e15      = "n=${1e15}"
max_safe = "n=${9007199254740992}"
e_minus5 = "n=${1e-5}"
neg_zero = "n=${-0.0}"
mixed    = "${1}${2}${3.25}"
heredoc = <<EOT
port ${8080}, ratio ${0.75}
EOT
