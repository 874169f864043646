yes     = true
no      = false
nothing = null
not_yes = !true
not_no  = !false
mixed   = [true, false, null, !true]
flags = {
  enabled  = true
  disabled = false
  unset    = null
}
