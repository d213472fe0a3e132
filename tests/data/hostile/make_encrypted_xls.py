#!/usr/bin/python3
"""Makes password_protected.xls (password "secret"): LibreOffice saves the finance sample return
as an Excel 97-2003 workbook with a password, which encrypts it (RC4 CryptoAPI, a FILEPASS
record). msoffcrypto-tool cannot encrypt .xls, so this needs LibreOffice's Python bridge:

    /usr/bin/python3 tests/data/hostile/make_encrypted_xls.py

(the system Python of a machine with `apt-get install libreoffice-calc-nogui python3-uno`).
"""

import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main():
    profile = tempfile.mkdtemp()
    port = 2002 + os.getpid() % 1000
    office = subprocess.Popen([
        "soffice", "--headless", "--invisible", "--norestore",
        "-env:UserInstallation=file://" + profile,
        "--accept=socket,host=127.0.0.1,port=%d;urp;" % port,
    ])
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(60):
            try:
                ctx = resolver.resolve(
                    "uno:socket,host=127.0.0.1,port=%d;urp;StarOffice.ComponentContext" % port)
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        source = uno.systemPathToFileUrl(os.path.join(ROOT, "samples/returns/return_finance.xlsx"))
        doc = desktop.loadComponentFromURL(source, "_blank", 0, (prop("Hidden", True),))
        target = uno.systemPathToFileUrl(os.path.join(HERE, "password_protected.xls"))
        doc.storeToURL(target, (prop("FilterName", "MS Excel 97"), prop("Password", "secret")))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
    print("wrote", os.path.join(HERE, "password_protected.xls"))


if __name__ == "__main__":
    sys.exit(main())
