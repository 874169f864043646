l1 {
  l2 {
    l3 {
      l4 {
        l5 {
          l6 {
            l7 {
              l8 {
                l9 {
                  l10 {
                    depth = 10
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
tuple = [[[[[[[[[[10]]]]]]]]]]
object = { a = { b = { c = { d = { e = { f = { g = { h = "deep" } } } } } } } }
mixed = [{ a = [{ b = [{ c = [1] }] }] }]
calls = f(g(h(i(j(k(1))))))
parens = ((((((1))))))
