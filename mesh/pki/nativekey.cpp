#include "nativekey.h"

#include "opensslhandles_p.h"

namespace mesh::pki {

using namespace detail;

QSslKey NativeKey::from(const QSslKey &key)
{
    if (key.isNull() || key.type() != QSsl::PrivateKey || key.algorithm() == QSsl::Opaque)
        return key;
    PKey native = toPKey(key);
    if (!native) {
        takeOpenSslError();
        return key;
    }
    // Qt takes the handle over (for EC and RSA it copies the key out and
    // frees the EVP_PKEY).
    QSslKey loaded(Qt::HANDLE(native.release()), QSsl::PrivateKey);
    return loaded.isNull() ? key : loaded;
}

} // namespace mesh::pki
