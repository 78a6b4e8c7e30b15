from shopcare.cli import main

main()
