café   = 1
名前    = "name"
π      = 3.14159
ñandú  = true
Ωmega_2 = "ok"
straße = "street"
привет = { мир = "world" }
ключ "значение" {
  αβγ = "greek"
}
refs = [café, 名前, привет.мир]
