# No globally reserved words: keywords are plain names outside their context.
for    = 1
in     = 2
if     = 3
true_name = true
null_name = null
endif  = "e"
endfor = "f"
else   = "g"
variable "for" {
  default = "x"
}
for {
  in = "block named for"
}
locals {
  if = "local named if"
}
