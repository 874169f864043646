job "${name}" {
}
