list = [
  1, # first
  2, // second
  /* third */ 3,
]
object = {
  a = 1 # note
  // a comment line
  b = 2
  /* inline */ c = 3
}
call = max(
  1, # one
  2  // two
)
cond = (
  a # predicate
  ? b
  : c
)
sum = 1 + /* inline */ 2
