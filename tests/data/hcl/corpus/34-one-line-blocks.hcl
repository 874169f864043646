a { b = 1 }
c "label" { d = "two" }
e { f = [1, 2] }
g { h = { i = 1 } }
j {}
k "x" "y" { l = true }
m { n = "${o}" }
p { q = r ? s : t }
