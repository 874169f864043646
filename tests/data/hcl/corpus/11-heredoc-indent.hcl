block "indent" {
  stripped = <<-EOT
    four
      six
    four
    EOT
  uneven = <<-EOT
      six
    four
        eight
  EOT
  with_blank = <<-EOT
    a

    b
    EOT
  tabs_kept = <<-EOT
    x	y
    EOT
  marker_far = <<-EOT
  two
          EOT
}
