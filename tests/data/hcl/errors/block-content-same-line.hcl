block "x" {b = 1
}
