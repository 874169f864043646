#pragma once

#include <QStringList>
#include <QTextStream>

namespace meshpad::cli {

// `meshpad ca init -dir DIR [-trust-domain TD] [-datacenter DC] [-force]`
//   writes a Consul-format root: DIR/ca.pem and DIR/ca-key.pem (0600), and
//   prints the trust domain. An existing CA is kept unless -force.
// `meshpad ca leaf -dir DIR -service NAME [-ttl 72h] [-datacenter DC]`
//   signs a leaf with that CA: DIR/NAME.pem (leaf, then chain) and
//   DIR/NAME-key.pem (0600), and prints its SPIFFE ID.
// `meshpad ca sign -dir DIR -csr FILE [-out FILE] [-ttl 72h] [-datacenter DC]`
//   signs a CSR with that CA by CertificateAuthority::signCsr()'s rules and
//   prints the leaf PEM, or writes it to FILE and prints its SPIFFE ID.
// Single-dash long flags, as consul's. Exit 0 done, 1 refused (an existing CA,
// a name, trust domain or CSR the CA does not accept), 2 usage or I/O error.
class CaCommand final
{
public:
    static int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

private:
    static int init(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int leaf(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int sign(const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
