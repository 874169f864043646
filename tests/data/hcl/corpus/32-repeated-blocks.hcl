service {
  name = "first"
}
service {
  name = "second"
}
service {
  name = "third"
}
group "web" {
  task "a" {}
  task "b" {}
}
group "api" {
  task "a" {}
}
resource "type" "one" {
  n = 1
}
resource "type" "two" {
  n = 2
}
resource "type" "one" {
  n = 3
}
resource "other" "one" {
  n = 4
}
