# String literals are NFC-normalised (after escapes are decoded); block
# labels and identifiers are not.
quoted    = "café"
escaped   = "cafe\u0301"
singleton = "Å ngström"
heredoc = <<EOT
café
EOT
interp    = "é${x}é"
object    = { "kéy" = "vé" }
label "café" {
  n = 1
}
identifieŕ = "decomposed name"
hangul    = "한"
escaped_label "caf\u00e9" "e\u0301" {
  n = 2
}
