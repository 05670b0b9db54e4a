from doconnect.cli import main

main()
